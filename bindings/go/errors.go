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

func newStatus(code C.int, fsErr error) *StatusError {
	return &StatusError{
		code: int(code),
		name: C.GoString(C.hftipc_err_name(C.int64_t(code))),
		text: C.GoString(C.hftipc_strerror(C.int64_t(code))),
		fs:   fsErr,
	}
}

// Sentinel errors, one per C status. Every error returned by this package either is one of
// these (ErrFull and ErrEmpty on the hot paths, see Channel.Send) or wraps one in a
// *ChannelError; test with errors.Is.
var (
	ErrFull           = newStatus(C.HFTIPC_EFULL, nil)    // ring full; retry later
	ErrEmpty          = newStatus(C.HFTIPC_EEMPTY, nil)   // no message; retry later
	ErrTooBig         = newStatus(C.HFTIPC_ETOOBIG, nil)  // message larger than MaxPayload
	ErrBufferTooSmall = newStatus(C.HFTIPC_EBUFSIZE, nil) // receive buffer too small; nothing consumed
	ErrInvalid        = newStatus(C.HFTIPC_EINVAL, nil)   // invalid argument
	ErrRole           = newStatus(C.HFTIPC_EROLE, nil)    // operation not allowed for the role
	ErrBusy           = newStatus(C.HFTIPC_EBUSY, nil)    // role held by another live process
	ErrExist          = newStatus(C.HFTIPC_EEXIST, fs.ErrExist)
	ErrNotExist       = newStatus(C.HFTIPC_ENOENT, fs.ErrNotExist)
	ErrMismatch       = newStatus(C.HFTIPC_EMISMATCH, nil)  // OpenOrCreate: geometry differs
	ErrCorrupt        = newStatus(C.HFTIPC_ECORRUPT, nil)   // cursor or slot length out of range
	ErrTruncated      = newStatus(C.HFTIPC_ETRUNCATED, nil) // file shorter than the header
	ErrBadMagic       = newStatus(C.HFTIPC_EBADMAGIC, nil)  // not a channel file
	ErrVersion        = newStatus(C.HFTIPC_EVERSION, nil)   // unsupported format major version
	ErrIncompat       = newStatus(C.HFTIPC_EINCOMPAT, nil)  // unknown incompat feature flag
	ErrCapacity       = newStatus(C.HFTIPC_ECAPACITY, nil)  // capacity not a power of two or too big
	ErrSlotSize       = newStatus(C.HFTIPC_ESLOTSIZE, nil)  // slot size out of range or not 8-aligned
	ErrHeaderSize     = newStatus(C.HFTIPC_EHEADERSIZE, nil)
	ErrMode           = newStatus(C.HFTIPC_EMODE, nil)
	ErrTooLarge       = newStatus(C.HFTIPC_ETOOLARGE, nil) // capacity x slot size too large
	ErrSize           = newStatus(C.HFTIPC_ESIZE, nil)     // file size disagrees with the header
	ErrNotReady       = newStatus(C.HFTIPC_ENOTREADY, nil) // header never finished initialisation
	ErrNoSpace        = newStatus(C.HFTIPC_ENOSPC, nil)
	ErrPermission     = newStatus(C.HFTIPC_EACCES, fs.ErrPermission)
	ErrNotFile        = newStatus(C.HFTIPC_ENOTFILE, nil) // symlink, directory, FIFO, ...
	ErrSystem         = newStatus(C.HFTIPC_ESYSTEM, nil)  // wraps the syscall.Errno
	ErrNoMemory       = newStatus(C.HFTIPC_ENOMEM, nil)
	ErrLapped         = newStatus(C.HFTIPC_ELAPPED, nil) // observer overtaken; it skipped ahead
	ErrState          = newStatus(C.HFTIPC_ESTATE, nil)  // Commit without TryClaim

	// ErrClosed is returned by every method of a closed Channel (and by a second Close).
	ErrClosed = &StatusError{name: "ErrClosed", text: "channel is closed", fs: fs.ErrClosed}
)

// statusErrors is indexed by -status.
var statusErrors = [...]*StatusError{
	nil, ErrFull, ErrEmpty, ErrTooBig, ErrBufferTooSmall, ErrInvalid, ErrRole, ErrBusy,
	ErrExist, ErrNotExist, ErrMismatch, ErrCorrupt, ErrTruncated, ErrBadMagic, ErrVersion,
	ErrIncompat, ErrCapacity, ErrSlotSize, ErrHeaderSize, ErrMode, ErrTooLarge, ErrSize,
	ErrNotReady, ErrNoSpace, ErrPermission, ErrNotFile, ErrSystem, ErrNoMemory, ErrLapped,
	ErrState,
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
