package convert

import "fmt"

// InputError is a request the engine cannot accept as sent: a chart that does
// not load, values that do not parse, a field with no Helm 4 equivalent.
// The server answers it with InvalidArgument; Message starts with the wording
// Tiller used for the same fault, which the store classifies by.
type InputError struct {
	Message string
	Err     error
}

func (e *InputError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *InputError) Unwrap() error { return e.Err }

func inputErrorf(err error, format string, args ...any) *InputError {
	return &InputError{Message: fmt.Sprintf(format, args...), Err: err}
}
