// Package console makes a command's output visible on Windows. tokentray.exe is built for the
// GUI subsystem (-H=windowsgui) so that the tray opens no console window; the price is that
// Windows gives it no console either, and `tokentray token` typed in cmd or PowerShell would
// print nothing. AttachParent borrows the console of the shell that started the command.
// Elsewhere it does nothing: a terminal's output already reaches the process.
package console
