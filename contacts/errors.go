package contacts

import (
	"errors"
	"fmt"
	"strings"

	"github.com/liaisonhq/liaison/policy"
)

// The error kinds. Every error the Service returns matches exactly one of
// them with errors.Is, or none for an internal failure of the store.
var (
	// ErrNotFound: the item does not exist, or lives in another org; the
	// two are indistinguishable on purpose.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the version named is stale, or a unique value (an
	// email in the org, an ID) is taken.
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the policy denies the action; see [ForbiddenError].
	ErrForbidden = errors.New("forbidden")
	// ErrInvalid: the input breaks a rule; see [InvalidError].
	ErrInvalid = errors.New("invalid")
)

// Error is the one wrapper the Service puts around every error it returns:
// the operation, the item it concerned, and the cause.
type Error struct {
	Op   string // the Service method, such as "UpdateContact"
	Item string // the item, such as "contact 01J…" or "org acme"
	Err  error
}

func (e *Error) Error() string {
	if e.Item == "" {
		return "contacts: " + e.Op + ": " + e.Err.Error()
	}
	return "contacts: " + e.Op + " " + e.Item + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ForbiddenError is a denial by the policy: which action, and which rule
// denied it. It matches [ErrForbidden].
type ForbiddenError struct {
	Action string
	Rule   policy.Rule
}

func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("forbidden: %s denied by rule %s", e.Action, e.Rule)
}

// Is reports whether target is [ErrForbidden].
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// A FieldError is one rule broken by one input field.
type FieldError struct {
	// Path is the field as a JSON pointer into the input, such as
	// "/email" or "/roles/1".
	Path string `json:"path"`
	// Message states the rule, such as "must not have a display name".
	Message string `json:"message"`
}

// InvalidError lists every field of an input that breaks a rule. It matches
// [ErrInvalid].
type InvalidError struct {
	Fields []FieldError
}

func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Path + ": " + f.Message
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Is reports whether target is [ErrInvalid].
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

// invalid collects field errors while an input is checked.
type invalid []FieldError

func (v *invalid) add(path, format string, args ...any) {
	*v = append(*v, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *invalid) addErr(path string, err error) {
	if err != nil {
		*v = append(*v, FieldError{Path: path, Message: err.Error()})
	}
}

func (v invalid) err() error {
	if len(v) == 0 {
		return nil
	}
	return &InvalidError{Fields: v}
}

func errInvalid(path, format string, args ...any) error {
	var v invalid
	v.add(path, format, args...)
	return v.err()
}

func conflictf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConflict, fmt.Sprintf(format, args...))
}
