package trayapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"tokentray/internal/local"
)

// maxRequestLine is the longest request line the tray reads (the newline not counted); the
// largest real one, save-settings, is a few KiB.
const maxRequestLine = 64 << 10

// maxResponseLine is the longest answer a client reads: a state is a few KiB.
const maxResponseLine = 1 << 20

// errLineTooLong is a line over the limit; nothing more is read from that connection.
var errLineTooLong = errors.New("line too long")

// readLine reads one line of at most limit bytes, without its newline. It never buffers more
// than limit plus the reader's buffer, whatever the peer sends.
func readLine(r *bufio.Reader, limit int) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > limit+1 { // +1: the newline
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, err
		}
	}
}

// knownOps are the operations this tray serves.
var knownOps = []string{opShow, opReload, opToken, opState, opNow, opWatch, opSaveSettings, opReset, opLogin,
	opCancelLogin, opCopy, opTestToken, opLogout}

// decodeRequest reads a request line of this protocol version and checks its fields by the same
// rules the command line applies, so that no client gets from the socket what the command refuses.
func decodeRequest(line []byte) (request, error) {
	if err := requestVersionError(line); err != nil {
		return request{}, err
	}
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return request{}, fmt.Errorf("a request tokentray cannot read: %v", err)
	}
	if !slices.Contains(knownOps, req.Op) {
		return request{}, fmt.Errorf("unknown request %q: this tray is older than the command asking", req.Op)
	}
	if req.MinValidSeconds != 0 {
		// Capped first so that no number of seconds overflows a Duration into the range.
		d := time.Duration(max(min(req.MinValidSeconds, 86400), -1)) * time.Second
		if err := local.CheckMinValid(d); err != nil {
			return request{}, fmt.Errorf("min_valid_seconds %d: %v", req.MinValidSeconds, err)
		}
	}
	return req, nil
}
