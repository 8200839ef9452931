package jit

import (
	"container/list"
	"crypto/sha256"
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

// get returns the executable of text compiled for client, compiling it
// when the cache lacks it (hit reports which).
func (c *execCache) get(client *xlapjrt.Client, text string, compile func() (*xlapjrt.LoadedExecutable, error)) (exe *xlapjrt.LoadedExecutable, hit bool, err error) {
	key := cacheKey{client: client, sum: sha256.Sum256([]byte(text))}
	c.mu.Lock()
	if el, ok := c.entries[key]; ok {
		c.order.MoveToFront(el)
		c.mu.Unlock()
		return el.Value.(*cacheEntry).exe, true, nil
	}
	c.mu.Unlock()
	// Compile outside the lock: another runner may compile the same text
	// meanwhile; the first one stored wins.
	exe, err = compile()
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		return el.Value.(*cacheEntry).exe, false, nil
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, exe: exe})
	for c.order.Len() > cacheEntries {
		last := c.order.Back()
		delete(c.entries, last.Value.(*cacheEntry).key)
		c.order.Remove(last)
	}
	return exe, false, nil
}
