package jit

import (
	"container/list"
	"crypto/sha256"
	"fmt"
	"strings"
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
// its module renamed to carry text's hash (NameModule), which a program
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
	named, name, nerr := NameModule(text)
	if nerr != nil {
		named = text
	}
	d := currentDisk()
	var dkey [32]byte
	var want Signature
	if d != nil && nerr == nil {
		_, outs, serr := mainSignature(named)
		if serr != nil {
			d = nil // not a program the cache can check after loading
		} else {
			want = Signature{Name: name, Results: outs}
			dkey = DiskKey(client, named, devices)
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
			if cerr := checkSignature(client, exe, want, devices); cerr != nil {
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

// NameModule returns text with its module (module @<name> …) renamed
// <name>_<SHA-256 of text in hex>, and that name. The compiled executable
// carries the name, so an executable read back from the disk cache shows
// the whole text it was compiled from: its argument and result types,
// its operations and constants.
func NameModule(text string) (named, name string, err error) {
	const head = "module @"
	rest, ok := strings.CutPrefix(text, head)
	if !ok {
		return "", "", fmt.Errorf("jit: the program does not start with %q", head)
	}
	end := strings.IndexAny(rest, " {\n")
	if end <= 0 {
		return "", "", fmt.Errorf("jit: the program's module has no name")
	}
	for _, r := range rest[:end] {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", "", fmt.Errorf("jit: the program's module name %q is not a plain identifier", rest[:end])
		}
	}
	sum := sha256.Sum256([]byte(text))
	name = fmt.Sprintf("%s_%x", rest[:end], sum)
	return head + name + rest[end:], name, nil
}

// mainSignature returns the types of @main's arguments and results in
// text (tensor<…> each, in order).
func mainSignature(text string) (args, results []string, err error) {
	at := strings.Index(text, "func.func @main(")
	if at < 0 {
		at = strings.Index(text, "func.func public @main(")
	}
	if at < 0 {
		return nil, nil, fmt.Errorf("jit: the program has no func.func @main")
	}
	line := text[at:]
	if nl := strings.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	arrow := strings.LastIndex(line, ") -> ")
	if arrow < 0 {
		return nil, nil, fmt.Errorf("jit: @main has no result types")
	}
	return tensorTypes(line[:arrow]), tensorTypes(line[arrow:]), nil
}

// tensorTypes lists the tensor<…> types in s, in order.
func tensorTypes(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "tensor<")
		if i < 0 {
			return out
		}
		s = s[i:]
		end := strings.IndexByte(s, '>')
		if end < 0 {
			return out
		}
		out = append(out, s[:end+1])
		s = s[end+1:]
	}
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
		if e.disk != nil && e.disk.remove(e.dkey) {
			return e.disk.path(e.dkey)
		}
		return ""
	}
	return ""
}
