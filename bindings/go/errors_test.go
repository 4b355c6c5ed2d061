package hftipc

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"
)

// Every C status has exactly one Go sentinel, in pinned order; the names come from the C
// table, so a renumbering in hftipc.h shows up here.
func TestSentinelsCoverEveryCStatus(t *testing.T) {
	want := map[string]*StatusError{
		"HFTIPC_EFULL": ErrFull, "HFTIPC_EEMPTY": ErrEmpty, "HFTIPC_ETOOBIG": ErrTooBig,
		"HFTIPC_EBUFSIZE": ErrBufferTooSmall, "HFTIPC_EINVAL": ErrInvalid, "HFTIPC_EROLE": ErrRole,
		"HFTIPC_EBUSY": ErrBusy, "HFTIPC_EEXIST": ErrExist, "HFTIPC_ENOENT": ErrNotExist,
		"HFTIPC_EMISMATCH": ErrMismatch, "HFTIPC_ECORRUPT": ErrCorrupt,
		"HFTIPC_ETRUNCATED": ErrTruncated, "HFTIPC_EBADMAGIC": ErrBadMagic,
		"HFTIPC_EVERSION": ErrVersion, "HFTIPC_EINCOMPAT": ErrIncompat,
		"HFTIPC_ECAPACITY": ErrCapacity, "HFTIPC_ESLOTSIZE": ErrSlotSize,
		"HFTIPC_EHEADERSIZE": ErrHeaderSize, "HFTIPC_EMODE": ErrMode, "HFTIPC_ETOOLARGE": ErrTooLarge,
		"HFTIPC_ESIZE": ErrSize, "HFTIPC_ENOTREADY": ErrNotReady, "HFTIPC_ENOSPC": ErrNoSpace,
		"HFTIPC_EACCES": ErrPermission, "HFTIPC_ENOTFILE": ErrNotFile, "HFTIPC_ESYSTEM": ErrSystem,
		"HFTIPC_ENOMEM": ErrNoMemory, "HFTIPC_ELAPPED": ErrLapped, "HFTIPC_ESTATE": ErrState,
		"HFTIPC_ETIMEDOUT": ErrTimedOut, "HFTIPC_EFENCED": ErrFenced,
		"HFTIPC_ENOFENCE": ErrNoFence, "HFTIPC_ESPARSE": ErrSparse,
		"HFTIPC_ESTALE": ErrStale,
	}
	if len(statusErrors)-1 != len(want) {
		t.Fatalf("%d sentinels for %d statuses", len(statusErrors)-1, len(want))
	}
	for code := -1; code > -len(statusErrors); code-- {
		e, ok := sentinel(code).(*StatusError)
		if !ok || e.Code() != code {
			t.Fatalf("status %d maps to %v", code, sentinel(code))
		}
		if want[e.Name()] != e {
			t.Errorf("status %d (%s) maps to the wrong sentinel %q", code, e.Name(), e.Error())
		}
		if e.Error() == "" || e.Error() == "unknown hftipc status" {
			t.Errorf("status %d has no text", code)
		}
	}
	if _, ok := sentinel(-len(statusErrors)).(unknownStatus); !ok {
		t.Fatal("a status past the table must be unknown")
	}
	if !strings.Contains(sentinel(-1000).Error(), "-1000") {
		t.Fatal(sentinel(-1000).Error())
	}
}

func TestFSSentinelsMatchIOFS(t *testing.T) {
	pairs := []struct{ ours, theirs error }{
		{ErrExist, fs.ErrExist}, {ErrNotExist, fs.ErrNotExist},
		{ErrPermission, fs.ErrPermission}, {ErrClosed, fs.ErrClosed},
	}
	for _, p := range pairs {
		wrapped := &ChannelError{Op: "open", Path: "/x", Err: p.ours}
		if !errors.Is(wrapped, p.theirs) || !errors.Is(wrapped, p.ours) {
			t.Errorf("%v does not match %v", p.ours, p.theirs)
		}
	}
	if errors.Is(ErrBusy, fs.ErrExist) || errors.Is(ErrExist, fs.ErrNotExist) {
		t.Fatal("unrelated errors match")
	}
}

func TestSystemErrorKeepsErrno(t *testing.T) {
	err := newError("open", "/p", int(ErrSystem.Code()), syscall.EIO)
	if !errors.Is(err, ErrSystem) || !errors.Is(err, syscall.EIO) {
		t.Fatalf("%v", err)
	}
	var ce *ChannelError
	if !errors.As(err, &ce) || ce.Code != -26 || ce.Op != "open" {
		t.Fatalf("%#v", err)
	}
	if !strings.Contains(err.Error(), "input/output error") || !strings.HasPrefix(err.Error(), "hftipc open /p: ") {
		t.Fatalf("message %q", err.Error())
	}
	// No errno captured: still ErrSystem.
	if err := newError("open", "/p", -26, nil); !errors.Is(err, ErrSystem) {
		t.Fatal(err)
	}
	// errno is ignored for other statuses.
	if err := newError("open", "/p", -9, syscall.EIO); errors.Is(err, syscall.EIO) || !errors.Is(err, ErrNotExist) {
		t.Fatal(err)
	}
}
