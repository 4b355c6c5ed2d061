package hftipc

/*
#include "hftipc.h"
*/
import "C"

import (
	"errors"
	"io/fs"
	"strconv"
	"syscall"
)

// StatusError is the type of the package's sentinel errors: one value per status of the C
// core (HFTIPC_E* in hftipc.h), plus ErrClosed, which only the Go binding returns.
// Compare with errors.Is against the exported variables, never by string.
type StatusError struct {
	code int    // the C status (negative); 0 for Go-only errors
	name string // the C symbol, such as "HFTIPC_EFULL"
	text string // description
	fs   error  // the io/fs equivalent, if any, so errors.Is(err, fs.ErrExist) holds
}

func (e *StatusError) Error() string { return e.text }

// Code is the pinned C status value (negative), or 0 for ErrClosed.
func (e *StatusError) Code() int { return e.code }

// Name is the C symbol of the status, such as "HFTIPC_EFULL".
func (e *StatusError) Name() string { return e.name }

// Is makes ErrExist, ErrNotExist, ErrPermission and ErrClosed match their io/fs
// counterparts (fs.ErrExist, fs.ErrNotExist, fs.ErrPermission, fs.ErrClosed), so code that
// already handles *os.PathError conditions handles channel files the same way.
func (e *StatusError) Is(target error) bool { return e.fs != nil && target == e.fs }

func newStatus(code int, fsErr error) *StatusError {
	return &StatusError{
		code: code,
		name: C.GoString(C.hftipc_err_name(C.int64_t(code))),
		text: C.GoString(C.hftipc_strerror(C.int64_t(code))),
		fs:   fsErr,
	}
}

// Sentinel errors, one per C status. Every error returned by this package either is one of
// these (ErrFull and ErrEmpty on the hot paths, see Channel.Send) or wraps one in a
// *ChannelError; test with errors.Is.
var (
	ErrFull           = newStatus(-1, nil) // ring full; retry later
	ErrEmpty          = newStatus(-2, nil) // no message; retry later
	ErrTooBig         = newStatus(-3, nil) // message larger than MaxPayload
	ErrBufferTooSmall = newStatus(-4, nil) // receive buffer too small; nothing consumed
	ErrInvalid        = newStatus(-5, nil) // invalid argument
	ErrRole           = newStatus(-6, nil) // operation not allowed for the role
	ErrBusy           = newStatus(-7, nil) // role held by another live process
	ErrExist          = newStatus(-8, fs.ErrExist)
	ErrNotExist       = newStatus(-9, fs.ErrNotExist)
	ErrMismatch       = newStatus(-10, nil) // OpenOrCreate: geometry differs
	ErrCorrupt        = newStatus(-11, nil) // cursor or slot length out of range
	ErrTruncated      = newStatus(-12, nil) // file shorter than the header
	ErrBadMagic       = newStatus(-13, nil) // not a channel file
	ErrVersion        = newStatus(-14, nil) // unsupported format major version
	ErrIncompat       = newStatus(-15, nil) // unknown incompat feature flag
	ErrCapacity       = newStatus(-16, nil) // capacity not a power of two or too big
	ErrSlotSize       = newStatus(-17, nil) // slot size out of range or not 8-aligned
	ErrHeaderSize     = newStatus(-18, nil)
	ErrMode           = newStatus(-19, nil)
	ErrTooLarge       = newStatus(-20, nil) // capacity x slot size too large
	ErrSize           = newStatus(-21, nil) // file size disagrees with the header
	ErrNotReady       = newStatus(-22, nil) // header never finished initialisation
	ErrNoSpace        = newStatus(-23, nil)
	ErrPermission     = newStatus(-24, fs.ErrPermission)
	ErrNotFile        = newStatus(-25, nil) // symlink, directory, FIFO, ...
	ErrSystem         = newStatus(-26, nil) // wraps the syscall.Errno
	ErrNoMemory       = newStatus(-27, nil)
	ErrLapped         = newStatus(-28, nil) // observer overtaken; it skipped ahead
	ErrState          = newStatus(-29, nil) // commit or abort of a claim that is not outstanding
	ErrTimedOut       = newStatus(-30, nil) // a blocking call's timeout passed
	ErrFenced         = newStatus(-31, nil) // the role was taken over; the handle is dead
	ErrNoFence        = newStatus(-32, nil) // takeover refused: the stale holder cannot be stopped
	ErrSparse         = newStatus(-33, nil) // the file has holes; an observer cannot map it safely
	ErrStale          = newStatus(-34, nil) // retired, or the path no longer names this file; reopen

	// ErrClosed is returned by every method of a closed Channel (and by a second Close).
	ErrClosed = &StatusError{name: "ErrClosed", text: "channel is closed", fs: fs.ErrClosed}
)

// statusErrors is indexed by -status.
var statusErrors = [...]*StatusError{
	nil, ErrFull, ErrEmpty, ErrTooBig, ErrBufferTooSmall, ErrInvalid, ErrRole, ErrBusy,
	ErrExist, ErrNotExist, ErrMismatch, ErrCorrupt, ErrTruncated, ErrBadMagic, ErrVersion,
	ErrIncompat, ErrCapacity, ErrSlotSize, ErrHeaderSize, ErrMode, ErrTooLarge, ErrSize,
	ErrNotReady, ErrNoSpace, ErrPermission, ErrNotFile, ErrSystem, ErrNoMemory, ErrLapped,
	ErrState, ErrTimedOut, ErrFenced, ErrNoFence, ErrSparse, ErrStale,
}

// unknownStatus is returned for a status a newer core could add; it still carries the code.
type unknownStatus int

func (u unknownStatus) Error() string {
	return "hftipc: unknown status " + strconv.Itoa(int(u))
}

// sentinel maps a negative C status to its sentinel error.
func sentinel(code int) error {
	if code < 0 && -code < len(statusErrors) {
		return statusErrors[-code]
	}
	return unknownStatus(code)
}

// ChannelError records a failed operation, the channel file it was on, and the cause, like
// *os.PathError. Err is one of the sentinel errors (for HFTIPC_ESYSTEM, an error that
// matches ErrSystem and unwraps to the syscall.Errno), so errors.Is(err, hftipc.ErrBusy) and
// errors.Is(err, syscall.ENOSPC) work through it.
type ChannelError struct {
	Op   string // the method, such as "open" or "send"
	Path string // the channel file
	Err  error  // the cause
	Code int    // the C status (negative), or 0 for errors raised by the Go binding
}

func (e *ChannelError) Error() string {
	s := "hftipc " + e.Op
	if e.Path != "" {
		s += " " + e.Path
	}
	return s + ": " + e.Err.Error()
}

func (e *ChannelError) Unwrap() error { return e.Err }

// systemError is the cause of an HFTIPC_ESYSTEM failure: it is ErrSystem and unwraps to errno.
type systemError struct{ errno syscall.Errno }

func (e systemError) Error() string        { return ErrSystem.text + ": " + e.errno.Error() }
func (e systemError) Is(target error) bool { return target == ErrSystem }
func (e systemError) Unwrap() error        { return e.errno }

// newError builds the *ChannelError for a C status. errno is the value cgo captured for the
// call (nil when the call's form does not capture it); it is kept only for HFTIPC_ESYSTEM.
func newError(op, path string, code int, errno error) error {
	cause := sentinel(code)
	if code == int(C.HFTIPC_ESYSTEM) {
		var en syscall.Errno
		if errors.As(errno, &en) && en != 0 {
			cause = systemError{en}
		}
	}
	return &ChannelError{Op: op, Path: path, Err: cause, Code: code}
}
