package console

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole is kernel32's AttachConsole, which golang.org/x/sys/windows does not wrap.
var attachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentProcess is ATTACH_PARENT_PROCESS, (DWORD)-1.
const attachParentProcess = ^uint32(0)

// AttachParent attaches to the console of the parent process (cmd, PowerShell, Windows Terminal)
// and points os.Stdout and os.Stderr at it, each only if it has no usable handle: output
// redirected to a file or a pipe (`tokentray token > t.txt`, `$t = tokentray token`) stays
// where it was sent. Started from Explorer, a shortcut or the Run key there is no parent
// console, and nothing changes. Call it first in main, before anything keeps os.Stdout.
//
// Stdin is left alone: the shell keeps reading the same console, and two readers would split
// the user's keystrokes. A secret is piped in (`--client-secret-stdin`), which works unattached.
func AttachParent() {
	streams := []struct {
		std  uint32
		file **os.File
	}{
		{windows.STD_OUTPUT_HANDLE, &os.Stdout},
		{windows.STD_ERROR_HANDLE, &os.Stderr},
	}
	// Decide before attaching: attaching may fill in the process's empty standard handles.
	var missing []int
	for i, s := range streams {
		if !usable(s.std) {
			missing = append(missing, i)
		}
	}
	if len(missing) == 0 {
		return
	}
	if ok, _, _ := attachConsole.Call(uintptr(attachParentProcess)); ok == 0 {
		return
	}
	for _, i := range missing {
		f, err := os.OpenFile("CONOUT$", os.O_RDWR, 0)
		if err != nil {
			continue // nothing better to offer: the output is lost, as it was before
		}
		*streams[i].file = f
		_ = windows.SetStdHandle(streams[i].std, windows.Handle(f.Fd())) // for child processes; os.Std* already point at f
	}
}

// usable reports whether the standard handle std refers to something open: a console, a file
// or a pipe.
func usable(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	kind, err := windows.GetFileType(h)
	return err == nil && kind != windows.FILE_TYPE_UNKNOWN
}
