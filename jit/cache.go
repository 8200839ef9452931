package jit

import (
	"container/list"
	"crypto/sha256"
	"fmt"
	"sync"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
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
// then stored on disk). diskErr reports a disk entry that could not be
// used or stored; the executable is still returned. devices is the
// number of devices text is compiled partitioned across (1: one), for
// loading it from disk (pjrt.DeserializeOn).
func (c *execCache) get(client *xlapjrt.Client, text string, devices int, compile func() (*xlapjrt.LoadedExecutable, error)) (exe *xlapjrt.LoadedExecutable, from source, diskErr, err error) {
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
	d := currentDisk()
	var dkey [32]byte
	if d != nil {
		dkey = DiskKey(client, text)
		exe, _, diskErr = d.Load(client, dkey, devices)
		if exe != nil {
			from = fromDisk
		}
	}
	if exe == nil {
		if exe, err = compile(); err != nil {
			return nil, fromCompile, diskErr, err
		}
		if d != nil {
			if serr := d.Store(client, dkey, exe); serr != nil && diskErr == nil {
				diskErr = fmt.Errorf("storing in the disk cache %s: %w", d.Dir, serr)
			}
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		return el.Value.(*cacheEntry).exe, from, diskErr, nil
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, exe: exe})
	for c.order.Len() > cacheEntries {
		last := c.order.Back()
		delete(c.entries, last.Value.(*cacheEntry).key)
		c.order.Remove(last)
	}
	return exe, from, diskErr, nil
}
