package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
)

// Lock is an exclusive hold on an output directory (flock on the directory
// itself, so that nothing is left in it and a writer that dies lets go):
// while a process holds it, no other Dir, Reserve or Recover on that
// directory goes ahead, and this process's own Dir calls there use it.
type Lock struct {
	dir     string
	f       *os.File
	key     dirKey
	created bool
}

// dirKey identifies a directory whatever path names it.
type dirKey struct{ dev, ino uint64 }

// held are the locks this process holds through Reserve.
var held = struct {
	sync.Mutex
	m map[dirKey]*Lock
}{m: map[dirKey]*Lock{}}

// Reserve checks, before any work that would produce the files, that Dir
// can write into dir with opts, and holds it for that: dir is created if
// missing (its parent must be writable), must be a directory brainc may
// write into (empty, or holding only an earlier set with opts.Overwrite),
// and is locked against every other writer until Release. An interrupted
// earlier write is completed first.
func Reserve(dir string, opts DirOptions) (*Lock, error) {
	if h := heldLock(dir); h != nil {
		return nil, twice(dir, h)
	}
	l, err := lockNew(dir)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Lock, error) {
		l.release(true)
		return nil, err
	}
	if err := recoverLocked(dir); err != nil {
		return fail(err)
	}
	if _, err := previousFiles(dir, opts); err != nil {
		return fail(err)
	}
	probe, err := os.MkdirTemp(dir, fmt.Sprintf("%s%d-", stagePrefix, os.Getpid()))
	if err != nil {
		return fail(fmt.Errorf("output directory %s cannot be written: %w", dir, err))
	}
	if err := os.Remove(probe); err != nil {
		return fail(fmt.Errorf("output directory %s: %w", dir, err))
	}
	held.Lock()
	defer held.Unlock()
	if h := held.m[l.key]; h != nil {
		return fail(twice(dir, h))
	}
	held.m[l.key] = l
	return l, nil
}

// Release lets go of the directory; one that Reserve created is removed
// again when nothing was written into it.
func (l *Lock) Release() {
	if l == nil {
		return
	}
	held.Lock()
	if held.m[l.key] == l {
		delete(held.m, l.key)
	}
	held.Unlock()
	l.release(true)
}

// release unlocks; with removeCreated, a directory the lock created is
// removed when empty.
func (l *Lock) release(removeCreated bool) {
	if l.f == nil {
		return
	}
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	_ = l.f.Close()
	l.f = nil
	if removeCreated && l.created {
		_ = os.Remove(l.dir) // only if empty
	}
}

// heldLock is this process's Reserve lock on dir, if any.
func heldLock(dir string) *Lock {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil
	}
	held.Lock()
	defer held.Unlock()
	return held.m[keyOf(fi)]
}

// lockNew creates dir when missing and locks it. A path that is a file, or
// cannot be made a directory, is refused with what it is.
func lockNew(dir string) (*Lock, error) {
	fi, err := os.Stat(dir)
	created := false
	switch {
	case err != nil:
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("creating output directory %s: %w", dir, err)
		}
		created = true
	case !fi.IsDir():
		return nil, fmt.Errorf("output directory %s is a file, not a directory: it is not replaced; choose a directory", dir)
	}
	l, err := lockExisting(dir)
	if err != nil {
		if created {
			_ = os.Remove(dir)
		}
		return nil, err
	}
	l.created = created
	return l, nil
}

// lockExisting locks the directory dir, without waiting: a directory
// another writer holds is an error.
func lockExisting(dir string) (*Lock, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("output directory %s: %w", dir, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.IsDir() {
		f.Close()
		return nil, fmt.Errorf("output directory %s is not a directory", dir)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, busy(dir)
		}
		return nil, fmt.Errorf("locking output directory %s: %w", dir, err)
	}
	return &Lock{dir: dir, f: f, key: keyOf(fi)}, nil
}

// busy is the error for a directory another writer holds.
func busy(dir string) error {
	return fmt.Errorf("output directory %s is being written by another brainc run: wait for it to finish, or choose another directory", dir)
}

// twice is the error for a directory this process holds already.
func twice(dir string, h *Lock) error {
	return fmt.Errorf("output directory %s is already held for %s by this process: one directory cannot take two sets of files", dir, h.dir)
}

// keyOf is a directory's device and inode.
func keyOf(fi os.FileInfo) dirKey {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return dirKey{uint64(st.Dev), st.Ino}
	}
	return dirKey{}
}
