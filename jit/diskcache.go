package jit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"

	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/pjrt"
)

// DiskCache is a directory of compiled loop programs, serialized by the
// PJRT plugin (pjrt.Serialize), that outlives the process: a later run of
// the same program on the same plugin build loads it instead of compiling.
//
// An entry is a file <key>.xla: a header (magic, key, payload length and
// SHA-256) and the plugin's bytes. The key hashes the program's StableHLO
// text with everything that makes compiled code differ: the plugin file
// (path, size, modification time), its PJRT and platform versions, the
// client's devices, the CPUs the process may use (XLA compiles its
// parallel loops for them), XLA_FLAGS, the architecture and the CPU's
// model and flags. An entry that fails its checks or that the plugin refuses is
// removed and compiled again; it never stops a run. The directory is kept
// under MaxBytes by removing the entries used least recently (the entry
// just written stays, even alone over the cap).
type DiskCache struct {
	// Dir is the cache directory, created when first written.
	Dir string
	// MaxBytes bounds the entries' total size (≤ 0: DefaultCacheBytes).
	MaxBytes int64
	// mu serialises writes and trimming within the process.
	mu sync.Mutex
}

// DefaultCacheBytes is a DiskCache's default size cap.
const DefaultCacheBytes = 2 << 30

// MaxCacheBytes bounds a size cap given in BRAINC_CACHE_MAX_MB.
const MaxCacheBytes = 1 << 50

// Environment variables configuring DefaultDiskCache.
const (
	// EnvCacheDir overrides the cache directory.
	EnvCacheDir = "BRAINC_CACHE_DIR"
	// EnvCache set to "off" (or "0") disables the disk cache.
	EnvCache = "BRAINC_CACHE"
	// EnvCacheMaxMB sets the size cap in MiB.
	EnvCacheMaxMB = "BRAINC_CACHE_MAX_MB"
)

// DefaultDiskCache is the user's cache: $BRAINC_CACHE_DIR, or
// executables/ in brainc's directory of the user cache (os.UserCacheDir:
// ~/.cache/brainc/executables on Linux), capped at $BRAINC_CACHE_MAX_MB
// MiB or DefaultCacheBytes. It returns nil with BRAINC_CACHE=off, and an
// error for a bad cap or when no cache directory can be found.
func DefaultDiskCache() (*DiskCache, error) {
	if v := strings.ToLower(os.Getenv(EnvCache)); v == "off" || v == "0" || v == "false" {
		return nil, nil
	}
	d := &DiskCache{Dir: os.Getenv(EnvCacheDir), MaxBytes: DefaultCacheBytes}
	if v := os.Getenv(EnvCacheMaxMB); v != "" {
		mb, err := strconv.ParseFloat(v, 64)
		if err != nil || !(mb > 0) || mb*(1<<20) > MaxCacheBytes {
			return nil, fmt.Errorf("%s: expected a size in MiB in (0, %d], got %q", EnvCacheMaxMB, MaxCacheBytes>>20, v)
		}
		d.MaxBytes = int64(mb * (1 << 20))
	}
	if d.Dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("no cache directory (set %s, or %s=off): %w", EnvCacheDir, EnvCache, err)
		}
		d.Dir = filepath.Join(base, "brainc", "executables")
	}
	return d, nil
}

var (
	diskMu sync.Mutex
	disk   *DiskCache
)

// UseDiskCache makes every Runner of the process look compiled loop
// programs up in d, and store what they compile there (nil: no disk
// cache, the default).
func UseDiskCache(d *DiskCache) {
	diskMu.Lock()
	defer diskMu.Unlock()
	disk = d
}

// currentDisk is the disk cache in use, or nil.
func currentDisk() *DiskCache {
	diskMu.Lock()
	defer diskMu.Unlock()
	return disk
}

// cacheMagic starts every entry (and names its format's version).
var cacheMagic = [8]byte{'B', 'R', 'N', 'C', 'X', 'L', 'A', '1'}

// headerSize is the bytes before an entry's payload: magic, key, length,
// payload hash.
const headerSize = 8 + 32 + 8 + 32

// entryExt ends the entries' file names.
const entryExt = ".xla"

// DiskKey is the key of text's program compiled by client (see DiskCache).
func DiskKey(client *xlapjrt.Client, text string) [32]byte {
	h := sha256.New()
	field := func(s string) {
		_ = binary.Write(h, binary.LittleEndian, uint64(len(s)))
		h.Write([]byte(s))
	}
	field(string(cacheMagic[:]))
	field(text)
	p := client.Plugin()
	major, minor := p.Version()
	field(fmt.Sprintf("plugin %s %d.%d", p.Path(), major, minor))
	if st, err := os.Stat(p.Path()); err == nil {
		field(fmt.Sprintf("file %d %d", st.Size(), st.ModTime().UnixNano()))
	}
	field(fmt.Sprintf("platform %s %s devices %d cpus %d", client.Platform(), client.PlatformVersion(), client.NumDevices(), pjrt.CPUsAvailable()))
	field("XLA_FLAGS=" + os.Getenv("XLA_FLAGS"))
	field(runtime.GOOS + "/" + runtime.GOARCH)
	field(cpuIdentity())
	var key [32]byte
	copy(key[:], h.Sum(nil))
	return key
}

// cpuIdentity is the first CPU's model and feature flags (Linux; empty
// elsewhere): compiled CPU code may use any feature the compiling machine
// has.
var cpuIdentity = sync.OnceValue(func() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	var keep []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" && len(keep) > 0 {
			break // the first processor's block
		}
		k, _, _ := strings.Cut(line, ":")
		switch strings.TrimSpace(k) {
		case "vendor_id", "model name", "flags", "Features", "CPU implementer", "CPU part":
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n")
})

// path is the file of key's entry.
func (d *DiskCache) path(key [32]byte) string {
	return filepath.Join(d.Dir, fmt.Sprintf("%x%s", key, entryExt))
}

// errDamaged marks an entry that fails its checks.
var errDamaged = errors.New("damaged cache entry")

// Load returns the executable stored under key, loaded on client for the
// devices it was compiled partitioned across (1: one device; see
// pjrt.DeserializeOn); found is false when there is no entry. An entry
// that fails its checks, or that the plugin refuses, is removed and
// reported as an error (the caller compiles instead).
func (d *DiskCache) Load(client *xlapjrt.Client, key [32]byte, devices int) (exe *xlapjrt.LoadedExecutable, found bool, err error) {
	path := d.path(key)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	payload, err := checkEntry(data, key)
	if err == nil {
		exe, err = pjrt.DeserializeOn(client, payload, devices)
	}
	if err != nil {
		_ = os.Remove(path)
		return nil, true, fmt.Errorf("%s: %w (removed; compiling instead)", path, err)
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // most recently used
	return exe, true, nil
}

// checkEntry returns an entry's payload after checking its header against
// key.
func checkEntry(data []byte, key [32]byte) ([]byte, error) {
	if len(data) < headerSize || !bytes.Equal(data[:8], cacheMagic[:]) {
		return nil, fmt.Errorf("%w: no brainc cache header", errDamaged)
	}
	if !bytes.Equal(data[8:40], key[:]) {
		return nil, fmt.Errorf("%w: the entry holds another key", errDamaged)
	}
	n := binary.LittleEndian.Uint64(data[40:48])
	if n != uint64(len(data)-headerSize) {
		return nil, fmt.Errorf("%w: %d payload bytes, the header says %d", errDamaged, len(data)-headerSize, n)
	}
	payload := data[headerSize:]
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], data[48:80]) {
		return nil, fmt.Errorf("%w: the payload's checksum differs", errDamaged)
	}
	return payload, nil
}

// Store serializes exe and writes it under key (atomically: a reader never
// sees a partial entry), then trims the directory to MaxBytes.
func (d *DiskCache) Store(client *xlapjrt.Client, key [32]byte, exe *xlapjrt.LoadedExecutable) error {
	payload, err := pjrt.Serialize(client, exe)
	if err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return err
	}
	sum := sha256.Sum256(payload)
	err = atomicfile.Write(d.path(key), func(w io.Writer) error {
		var n [8]byte
		binary.LittleEndian.PutUint64(n[:], uint64(len(payload)))
		for _, part := range [][]byte{cacheMagic[:], key[:], n[:], sum[:], payload} {
			if _, err := w.Write(part); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return d.trim(d.path(key))
}

// cacheFile is one entry on disk.
type cacheFile struct {
	path string
	size int64
	used time.Time
}

// entries lists the directory's entries, least recently used first.
func (d *DiskCache) entries() ([]cacheFile, error) {
	list, err := os.ReadDir(d.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []cacheFile
	for _, e := range list {
		if !strings.HasSuffix(e.Name(), entryExt) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		out = append(out, cacheFile{filepath.Join(d.Dir, e.Name()), info.Size(), info.ModTime()})
	}
	slices.SortFunc(out, func(a, b cacheFile) int { return a.used.Compare(b.used) })
	return out, nil
}

// trim removes the least recently used entries past MaxBytes, but never
// keep (the entry just written).
func (d *DiskCache) trim(keep string) error {
	limit := d.MaxBytes
	if limit <= 0 {
		limit = DefaultCacheBytes
	}
	files, err := d.entries()
	if err != nil {
		return err
	}
	var total int64
	for _, f := range files {
		total += f.size
	}
	for _, f := range files {
		if total <= limit {
			break
		}
		if f.path == keep {
			continue
		}
		if err := os.Remove(f.path); err == nil || errors.Is(err, fs.ErrNotExist) {
			total -= f.size
		}
	}
	return nil
}

// Info is the number of entries and their total size.
func (d *DiskCache) Info() (entries int, size int64, err error) {
	files, err := d.entries()
	for _, f := range files {
		size += f.size
	}
	return len(files), size, err
}

// Clear removes every entry (and nothing else) and returns how many.
func (d *DiskCache) Clear() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	files, err := d.entries()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, err
		}
		n++
	}
	return n, nil
}
