package session

import (
	"errors"
	"fmt"
	"time"
)

// Copyable names what Copy puts on the clipboard.
type Copyable string

const (
	CopyUserToken Copyable = "user-token"
	CopyAppToken  Copyable = "app-token"
	CopyEnv       Copyable = "env"
)

// Copy puts what on the clipboard without waiting on the network (the session keeps tokens
// ready) and returns a sentence that confirms it, for the window.
func (s *Session) Copy(what Copyable) (string, error) {
	var text, msg string
	switch what {
	case CopyUserToken:
		tok, valid, err := s.UserToken()
		if err != nil {
			return "", err
		}
		text, msg = tok, fmt.Sprintf("Copied the access token (valid %d min).", int(valid/time.Minute))
	case CopyAppToken:
		tok, valid, err := s.AppToken()
		if err != nil {
			return "", err
		}
		text, msg = tok, fmt.Sprintf("Copied the app token (valid %d min). It identifies the app, not you: no user data.", int(valid/time.Minute))
	case CopyEnv:
		env, err := s.EnvText()
		if err != nil {
			return "", err
		}
		text, msg = env, "Copied the .env text: paste it into your project's .env file."
	default:
		return "", fmt.Errorf("nothing called %q can be copied", what)
	}
	if s.o.Clipboard == nil {
		return "", errors.New("no clipboard is available to this process")
	}
	clearAfter := time.Duration(s.State().Settings.ClipboardClearSeconds) * time.Second
	if err := s.o.Clipboard.Copy(text, clearAfter); err != nil {
		return "", fmt.Errorf("copying to the clipboard: %w", err)
	}
	if clearAfter > 0 {
		return msg + fmt.Sprintf(" The clipboard is cleared in %d s.", int(clearAfter/time.Second)), nil
	}
	return msg + " It stays on the clipboard (Options).", nil
}
