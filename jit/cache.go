package jit

import (
	"container/list"
	"crypto/sha256"
	"fmt"
	"sync"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"

	"github.com/brainc/brainc/diskcache"
)

// cacheEntries bounds the compiled loop programs kept in a process.
const cacheEntries = 64

// cacheKey identifies a compiled program: the PJRT client it was compiled
// for and the hash of its StableHLO text (which holds the program's
// structure, shapes and graph constants; the constants given as inputs,
// connectivity and weights, are not in it).
type cacheKey struct {
	client *xlapjrt.Client
	sum    [32]byte
}

type cacheEntry struct {
	key cacheKey
	exe *xlapjrt.LoadedExecutable
	// disk is the disk cache exe was loaded from (nil: compiled), under
	// dkey.
	disk *DiskCache
	dkey [32]byte
}

// execCache holds the process's compiled loop programs, shared by every
// Runner: a second runner of the same program, or of one that differs
// only in its constant inputs, compiles nothing. The least recently used
// entry goes past cacheEntries.
type execCache struct {
	mu      sync.Mutex
	entries map[cacheKey]*list.Element
	order   *list.List // front: most recently used
}

var compiled = &execCache{entries: map[cacheKey]*list.Element{}, order: list.New()}

// source says where an executable came from.
type source int

const (
	fromCompile source = iota // compiled now
	fromMemory                // the process's cache
	fromDisk                  // the disk cache (UseDiskCache)
)

// get returns the executable of text compiled for client: from the
// process's cache, else from the disk cache in use, else compiled (and
// then stored on disk). compile is given the text to compile: text with
// its module renamed to carry text's hash (diskcache.NameModule), which a program
// loaded from disk must show. diskErr reports a disk entry that could not
// be used or stored; the executable is still returned. devices is the
// number of devices text is compiled partitioned across (1: one), for
// loading it from disk (pjrt.DeserializeOn).
func (c *execCache) get(client *xlapjrt.Client, text string, devices int, compile func(text string) (*xlapjrt.LoadedExecutable, error)) (exe *xlapjrt.LoadedExecutable, from source, diskErr, err error) {
	key := cacheKey{client: client, sum: sha256.Sum256([]byte(text))}
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cacheEntry).exe, fromMemory, nil, nil
	}
	c.mu.Unlock()
	// Load or compile outside the lock: another runner may do the same
	// text meanwhile; the first one stored wins.
	from = fromCompile
	named, name, nerr := diskcache.NameModule(text)
	if nerr != nil {
		named = text
	}
	d := currentDisk()
	var dkey [32]byte
	var want diskcache.Signature
	if d != nil && nerr == nil {
		_, outs, serr := diskcache.MainSignature(named)
		if serr != nil {
			d = nil // not a program the cache can check after loading
		} else {
			want = diskcache.Signature{Name: name, Results: outs}
			dkey = diskcache.Key(client, named, devices)
			exe, _, diskErr = d.Load(client, dkey, devices, want)
			if exe != nil {
				from = fromDisk
			}
		}
	} else {
		d = nil
	}
	if exe == nil {
		if exe, err = compile(named); err != nil {
			return nil, fromCompile, diskErr, err
		}
		if d != nil {
			if cerr := diskcache.CheckSignature(client, exe, want, devices); cerr != nil {
				// The plugin names executables otherwise: storing them
				// would give entries no load can check.
				if diskErr == nil {
					diskErr = fmt.Errorf("not storing in the disk cache %s: the compiled program does not show its signature: %w", d.Dir, cerr)
				}
			} else if serr := d.Store(client, dkey, exe); serr != nil && diskErr == nil {
				diskErr = fmt.Errorf("storing in the disk cache %s: %w", d.Dir, serr)
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		return el.Value.(*cacheEntry).exe, from, diskErr, nil
	}
	entry := &cacheEntry{key: key, exe: exe}
	if from == fromDisk {
		entry.disk, entry.dkey = d, dkey
	}
	c.entries[key] = c.order.PushFront(entry)
	for c.order.Len() > cacheEntries {
		last := c.order.Back()
		delete(c.entries, last.Value.(*cacheEntry).key)
		c.order.Remove(last)
	}
	return exe, from, diskErr, nil
}

// forget drops exe, which failed to run, from the process's cache, and,
// when it was loaded from the disk cache, removes its entry there (so
// that no later run loads it again) and returns the entry's path.
func (c *execCache) forget(exe *xlapjrt.LoadedExecutable) (removed string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for key, el := range c.entries {
		e := el.Value.(*cacheEntry)
		if e.exe != exe {
			continue
		}
		delete(c.entries, key)
		c.order.Remove(el)
		if e.disk != nil && e.disk.Remove(e.dkey) {
			return e.disk.Path(e.dkey)
		}
		return ""
	}
	return ""
}
