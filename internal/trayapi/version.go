package trayapi

import (
	"encoding/json"
	"fmt"
)

// protocolVersion is the "v" of every request and response line. A line without one (0) comes
// from a build before versions existed, whose state had other names: it is refused like any
// other version rather than read as v1 with half its fields missing. No release spoke that
// protocol, so nobody outside the team meets the refusal.
//
// Whatever the version, an error answer keeps the shape {"v":…,"error":{"message":…}}, so that
// any build can show the other's refusal.
const protocolVersion = 1

// requestVersionError says how to get the command and the tray to agree when a request line is
// of another version, and is nil otherwise.
func requestVersionError(line []byte) error {
	v, ok := lineVersion(line)
	switch {
	case !ok || v == protocolVersion:
		return nil
	case v > protocolVersion:
		return fmt.Errorf("this command speaks protocol v%d, the running tokentray only v%d: it is older than the command; "+
			"quit the tray and start it again", v, protocolVersion)
	}
	return fmt.Errorf("this command is older than the running tokentray (protocol v%d, the tray speaks v%d): "+
		"run the tokentray the tray runs from, or quit the tray and start it from this one", v, protocolVersion)
}

// decodeResponse reads a response line; a response of another version is an error that says how
// to get the command and the tray to agree.
func decodeResponse(line []byte, resp *response) error {
	if v, ok := lineVersion(line); ok && v != protocolVersion {
		if v > protocolVersion {
			return fmt.Errorf("the running tokentray speaks protocol v%d, this command v%d: run the tokentray the tray runs from, "+
				"or quit the tray and start it from this one", v, protocolVersion)
		}
		return fmt.Errorf("the running tokentray is older than this command (protocol v%d, this command speaks v%d): "+
			"quit the tray and start it again", v, protocolVersion)
	}
	if err := json.Unmarshal(line, resp); err != nil {
		return fmt.Errorf("an answer from the running tokentray that cannot be read: %v", err)
	}
	return nil
}

// lineVersion reads a line's "v" before the rest, so that a line of another version is reported
// as such rather than as whatever its fields fail to decode as. ok is false when the line is no
// JSON object with a numeric "v" at all; decoding the whole line then says what is wrong.
func lineVersion(line []byte) (v int, ok bool) {
	var head struct {
		V int `json:"v"`
	}
	return head.V, json.Unmarshal(line, &head) == nil
}
