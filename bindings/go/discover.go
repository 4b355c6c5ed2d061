package hftipc

/*
#include <stdlib.h>
#include "hftipc.h"

// Defined in the amalgamated core (core/src/discover.h): hftipc_channel_open_wait that also
// returns HFTIPC_ETIMEDOUT as soon as cancel_fd is readable, so a context can end the wait.
int hftipc__channel_open_wait_cancel(const char *path, hftipc_role_t role, int64_t timeout_ns,
                                     int cancel_fd, hftipc_channel_t **out);
*/
import "C"

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// EntryType is the kind of a directory entry. Symlinks are reported, never followed.
type EntryType uint32

const (
	EntryFile      EntryType = 1 // a regular file: a channel when DirEntry.Err is nil
	EntrySymlink   EntryType = 2
	EntryDirectory EntryType = 3
	EntryOther     EntryType = 4 // a FIFO, socket or device
)

func (t EntryType) String() string {
	switch t {
	case EntryFile:
		return "file"
	case EntrySymlink:
		return "symlink"
	case EntryDirectory:
		return "directory"
	case EntryOther:
		return "other"
	}
	return "EntryType(" + strconv.Itoa(int(t)) + ")"
}

// DirEntry describes one name in a directory, examined like Inspect, without following a
// symlink, opening a FIFO, modifying anything or taking a role.
type DirEntry struct {
	Name  string    // the name within the directory
	Path  string    // the directory joined with Name
	Type  EntryType // what the name is
	Inode uint64    // a different inode under the same name is a different file
	Size  int64     // the file's actual size; 0 for non-regular entries
	// Err is nil for a valid channel file; otherwise the sentinel error saying why the entry
	// is not one (ErrNotFile for anything but a regular file, ErrBadMagic for another file,
	// ErrTruncated, ErrNotReady, ...). Compare with errors.Is.
	Err error
	// Info is the decoded channel (geometry, cursors, role holders and their liveness); for
	// an invalid file, the fields decoded before the failing check; zero for non-files.
	Info Info
}

// Valid reports whether the entry is a channel file that passed validation.
func (e DirEntry) Valid() bool { return e.Err == nil }

func entryFromC(dir string, e *C.hftipc_dir_entry_t, in *C.hftipc_info_t) DirEntry {
	name := C.GoString(&e.name[0])
	d := DirEntry{
		Name:  name,
		Path:  filepath.Join(dir, name),
		Type:  EntryType(e._type),
		Inode: uint64(e.inode),
		Size:  int64(e.bytes),
		Info:  infoFromC(in),
	}
	if e.status != 0 {
		d.Err = sentinel(int(e.status))
	}
	return d
}

// ListDir lists every name in the directory dir (sorted by name, "." and ".." left out) with
// what it holds: a file that fails validation is listed with its error, not returned as one.
// The error is for the directory itself: ErrNotExist, ErrNotFile (not a directory),
// ErrPermission, wrapped in a *ChannelError.
func ListDir(dir string) ([]DirEntry, error) {
	cs, err := cpath("list", dir)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cs))
	var d *C.hftipc_dir_t
	rc, errno := C.hftipc_dir_open(cs, &d)
	if rc != 0 {
		return nil, newError("list", dir, int(rc), errno)
	}
	defer C.hftipc_dir_close(d)
	var out []DirEntry
	for {
		var e C.hftipc_dir_entry_t
		var in C.hftipc_info_t
		e.size = C.uint32_t(unsafe.Sizeof(e))
		in.size = C.uint32_t(unsafe.Sizeof(in))
		rc := C.hftipc_dir_next(d, &e, &in)
		if rc == 0 {
			return out, nil
		}
		if rc < 0 {
			return out, newError("list", dir, int(rc), nil)
		}
		out = append(out, entryFromC(dir, &e, &in))
	}
}

// EventKind says what a watch event reports.
type EventKind int

const (
	Added   EventKind = 1 // the name appeared, or was there when the watch started
	Changed EventKind = 2 // its validity, file, geometry or a role holder changed
	Removed EventKind = 3 // the name is gone; the entry is its last known state
)

func (k EventKind) String() string {
	switch k {
	case Added:
		return "added"
	case Changed:
		return "changed"
	case Removed:
		return "removed"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one change in a watched directory.
type Event struct {
	Kind EventKind
	DirEntry
}

// WatchConfig tunes a Watcher. The zero value is the default.
type WatchConfig struct {
	// Interval is how often the directory is rescanned even without file events: the delay
	// before a holder's death is noticed (a dying process changes no file), and the whole
	// detection delay when polling. 0 means 100ms; at least 1ms.
	Interval time.Duration
	// Poll disables inotify: only the periodic rescan finds changes.
	Poll bool
}

// Watcher reports the channels that appear in, change in, or disappear from a directory.
// Its methods may be called from several goroutines; Close ends a Next in progress.
type Watcher struct {
	dir  string
	mu   sync.Mutex // held by Next while it uses w; Close takes it to free w
	w    *C.hftipc_watch_t
	stop sync.Once
}

// Watch starts watching dir. Every entry present now is reported first, as Added, so a
// watcher needs no separate listing. The directory is rescanned when inotify reports a
// change in it and at every Interval (a holder's death changes no file); each rescan is
// compared with the previous one, so a name created and removed in between may go
// unreported. If dir is removed, its entries are reported Removed and the watcher looks for
// it to come back.
func Watch(dir string, cfg WatchConfig) (*Watcher, error) {
	if cfg.Interval < 0 {
		return nil, &ChannelError{Op: "watch", Path: dir, Err: ErrInvalid, Code: int(C.HFTIPC_EINVAL)}
	}
	cs, err := cpath("watch", dir)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cs))
	var o C.hftipc_watch_options_t
	C.hftipc_watch_options_init(&o)
	if cfg.Interval != 0 {
		o.interval_ns = C.int64_t(cfg.Interval)
	}
	if cfg.Poll {
		o.flags |= C.HFTIPC_WATCH_POLL
	}
	var w *C.hftipc_watch_t
	rc, errno := C.hftipc_watch_open(cs, &o, &w)
	if rc != 0 {
		return nil, newError("watch", dir, int(rc), errno)
	}
	return &Watcher{dir: dir, w: w}, nil
}

// Next waits for the next event. It returns ctx.Err() unwrapped when ctx ends first (the
// watcher stays usable), and an error wrapping ErrClosed once the watcher is closed.
// Cancellation is noticed within about 50ms (the C wait runs in slices, as in Channel.Wait).
func (w *Watcher) Next(ctx context.Context) (Event, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.w == nil {
		return Event{}, w.closedErr()
	}
	done := ctx.Done()
	for {
		if done != nil {
			select {
			case <-done:
				return Event{}, ctx.Err()
			default:
			}
		}
		slice := waitSlice
		if dl, ok := ctx.Deadline(); ok {
			slice = max(min(slice, time.Until(dl)), minWaitSlice)
		}
		var e C.hftipc_dir_entry_t
		var in C.hftipc_info_t
		e.size = C.uint32_t(unsafe.Sizeof(e))
		in.size = C.uint32_t(unsafe.Sizeof(in))
		rc, errno := C.hftipc_watch_next(w.w, C.int64_t(slice), &e, &in)
		switch {
		case rc == 1:
			return Event{Kind: EventKind(e.event), DirEntry: entryFromC(w.dir, &e, &in)}, nil
		case rc == 0:
			return Event{}, w.closedErr() // Close stopped it
		case rc == C.HFTIPC_ETIMEDOUT:
			// The slice ended: check ctx and wait again.
		default:
			return Event{}, newError("watch", w.dir, int(rc), errno)
		}
	}
}

func (w *Watcher) closedErr() error {
	return &ChannelError{Op: "watch", Path: w.dir, Err: ErrClosed}
}

// Close stops the watcher, ending a Next in progress in another goroutine (which returns an
// error wrapping ErrClosed), and frees it. A second Close returns an error wrapping ErrClosed.
func (w *Watcher) Close() error {
	first := false
	w.stop.Do(func() {
		first = true
		// Async-safe in C: wakes a Next blocked in hftipc_watch_next without the mutex.
		C.hftipc_watch_stop(w.w)
	})
	if !first {
		return w.closedErr()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	C.hftipc_watch_close(w.w)
	w.w = nil
	return nil
}

// OpenWait opens the channel at path in role like Open, waiting for it to be created and
// initialised if it is not there yet (or is empty, or not yet initialised). It returns when
// the channel opens, with the first error that waiting does not cure (ErrBusy, ErrBadMagic,
// ...), or with ctx.Err() unwrapped when ctx ends first. The wait sleeps on inotify in the
// C core (no polling loop) and is woken at once by cancellation.
func OpenWait(ctx context.Context, path string, role Role) (*Channel, error) {
	const op = "open_wait"
	if !validRole(role) {
		return nil, &ChannelError{Op: op, Path: path, Err: ErrInvalid, Code: int(C.HFTIPC_EINVAL)}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cs, err := cpath(op, path)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cs))
	timeout := int64(C.HFTIPC_WAIT_FOREVER)
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(int64(time.Until(dl)), 0)
	}
	cancelFd := -1
	if ctx.Done() != nil {
		// A cgo call cannot be interrupted, but it can be woken (cancel_unix.go, _windows.go).
		cancel, err := newWaitCancel()
		if err != nil {
			return nil, newError(op, path, int(C.HFTIPC_ESYSTEM), err)
		}
		wrote := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			cancel.signal()
			close(wrote)
		})
		defer func() {
			if !stop() {
				<-wrote // the callback started: let it finish with the cancel first
			}
			cancel.close()
		}()
		cancelFd = cancel.handle()
	}
	var ch *C.hftipc_channel_t
	rc, errno := C.hftipc__channel_open_wait_cancel(cs, C.hftipc_role_t(role), C.int64_t(timeout),
		C.int(cancelFd), &ch)
	if rc != 0 {
		if rc == C.HFTIPC_ETIMEDOUT {
			// Cancelled, or the deadline passed in C a moment before the context's own timer
			// fired: either way the context is (about to be) done.
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return nil, newError(op, path, int(rc), errno)
	}
	return newChannel(ch, path), nil
}
