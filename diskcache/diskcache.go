// Package diskcache keeps compiled XLA programs on disk between processes:
// entries that are untrusted when read back (bounded regular files, opened
// without following links, checked against their key, checksum and the
// program's signature once loaded).
package diskcache

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
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"

	"github.com/brainc/brainc/pjrt"
)

// Cache is a directory of compiled loop programs, serialized by the
// PJRT plugin (pjrt.Serialize), that outlives the process: a later run of
// the same program on the same plugin build loads it instead of compiling.
//
// An entry is a file <key>.xla: a header (magic, key, payload length and
// SHA-256) and the plugin's bytes. The key hashes the program's StableHLO
// text (@main's argument and result types within it, and the module's
// name, which carries the text's hash: NameModule) with everything that
// makes compiled code differ: the devices it is partitioned across, the
// plugin file (path, size, modification time), its PJRT and platform
// versions, the client's devices, the CPUs the process may use (XLA
// compiles its parallel loops for them), XLA_FLAGS, the architecture and
// the CPU's model and flags.
//
// Entries are untrusted: one is opened without following links, read only
// when it is a regular file of at most MaxEntryBytes, checked against its
// header's key, length and checksum, and its executable, once loaded,
// against the program's name and result count (so that no other program
// runs under a recomputed header). An entry of brainc's that fails, or that
// the plugin refuses, is removed and compiled again; anything else under an
// entry's name is left alone; neither stops a run. The temporaries of
// writers that died are swept. The directory is kept under MaxBytes by
// removing the entries used least recently (the entry just written stays,
// even alone over the cap).
type Cache struct {
	// Dir is the cache directory, created when first written.
	Dir string
	// MaxBytes bounds the entries' total size (≤ 0: DefaultCacheBytes).
	MaxBytes int64
	// mu serialises writes and trimming within the process.
	mu sync.Mutex
}

// DefaultCacheBytes is a Cache's default size cap.
const DefaultCacheBytes = 2 << 30

// MaxCacheBytes bounds a size cap given in BRAINC_CACHE_MAX_MB.
const MaxCacheBytes = 1 << 50

// Environment variables configuring Default.
const (
	// EnvCacheDir overrides the cache directory.
	EnvCacheDir = "BRAINC_CACHE_DIR"
	// EnvCache set to "off" (or "0", "false") disables the disk cache;
	// "on", "1", "true" or nothing enables it.
	EnvCache = "BRAINC_CACHE"
	// EnvCacheMaxMB sets the size cap in MiB.
	EnvCacheMaxMB = "BRAINC_CACHE_MAX_MB"
)

// Default is the user's cache: $BRAINC_CACHE_DIR, or
// executables/ in brainc's directory of the user cache (os.UserCacheDir:
// ~/.cache/brainc/executables on Linux), capped at $BRAINC_CACHE_MAX_MB
// MiB (a number in [1, MaxCacheBytes>>20]) or DefaultCacheBytes. It
// returns nil with BRAINC_CACHE=off, and an error naming the variable for
// a value that is not one of these, or when no cache directory can be
// found.
func Default() (*Cache, error) {
	switch v := strings.ToLower(os.Getenv(EnvCache)); v {
	case "off", "0", "false":
		return nil, nil
	case "", "on", "1", "true":
	default:
		return nil, fmt.Errorf("%s: expected on or off, got %q", EnvCache, os.Getenv(EnvCache))
	}
	d := &Cache{Dir: os.Getenv(EnvCacheDir), MaxBytes: DefaultCacheBytes}
	if v := os.Getenv(EnvCacheMaxMB); v != "" {
		mb, err := strconv.ParseFloat(v, 64)
		if err != nil || !(mb >= 1) || mb > MaxCacheBytes>>20 {
			return nil, fmt.Errorf("%s: expected a size in MiB in [1, %d], got %q", EnvCacheMaxMB, MaxCacheBytes>>20, v)
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

// cacheMagic starts every entry: cacheMagicPrefix, which marks a file
// brainc's cache wrote (of any format version), then the version.
var cacheMagic = [8]byte{'B', 'R', 'N', 'C', 'X', 'L', 'A', '2'}

// cacheMagicPrefix is the part of cacheMagic every format version shares.
const cacheMagicPrefix = "BRNCXLA"

// headerSize is the bytes before an entry's payload: magic, key, length,
// payload hash.
const headerSize = 8 + 32 + 8 + 32

// MaxEntryBytes bounds one entry's size: a file beyond it is never read
// (a compiled loop program is a few MiB).
const MaxEntryBytes = 1 << 30

// entryExt ends the entries' file names.
const entryExt = ".xla"

// entryName matches an entry's file name: its key in hex and entryExt.
var entryName = regexp.MustCompile(`^[0-9a-f]{64}\.xla$`)

// tempName matches the temporaries of entries being written:
// .<key>.xla.tmp-<pid>-<random> (and atomicfile's .<key>.xla.tmp-<random>
// of earlier versions).
var tempName = regexp.MustCompile(`^\.[0-9a-f]{64}\.xla\.tmp-(?:([0-9]+)-)?[0-9]+$`)

// StaleTempAge is the age past which an entry's temporary is removed even
// when its writer's process ID is taken by a live process (a write takes
// seconds).
const StaleTempAge = time.Hour

// Key is the key of text's program compiled by client partitioned
// across devices (1: one device; see Cache). text is the program as
// compiled: its StableHLO, which holds @main's argument and result types.
func Key(client *xlapjrt.Client, text string, devices int) [32]byte {
	h := sha256.New()
	field := func(s string) {
		_ = binary.Write(h, binary.LittleEndian, uint64(len(s)))
		h.Write([]byte(s))
	}
	field(string(cacheMagic[:]))
	field(text)
	if in, out, err := MainSignature(text); err == nil {
		field(fmt.Sprintf("main (%s) -> (%s)", strings.Join(in, ", "), strings.Join(out, ", ")))
	}
	field(fmt.Sprintf("partitions %d", devices))
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

// Path is the file of key's entry.
func (d *Cache) Path(key [32]byte) string {
	return filepath.Join(d.Dir, fmt.Sprintf("%x%s", key, entryExt))
}

// errDamaged marks an entry that fails its checks.
var errDamaged = errors.New("damaged cache entry")

// Signature is what an executable loaded from the cache must show to be
// the program asked for.
type Signature struct {
	// Name is the executable's name: its module's, which carries the hash
	// of the whole program text, @main's argument and result types
	// included (see NameModule).
	Name string
	// Results are @main's result types (tensor<4x8xf32> …), in order.
	Results []string
}

// Load returns the executable stored under key, loaded on client for the
// devices it was compiled partitioned across (1: one device; see
// pjrt.DeserializeOn) and checked against want; found is false when there
// is no entry.
//
// The entry is opened without following links and read only when it is a
// regular file of at most MaxEntryBytes whose header holds key, the
// payload's length and its checksum. An entry of brainc's that fails a
// check, that the plugin refuses, or whose executable is not want's is
// removed and reported as an error (the caller compiles instead);
// anything else under the entry's name (a link, a FIFO, a device, a file
// brainc did not write) is left alone and reported.
func (d *Cache) Load(client *xlapjrt.Client, key [32]byte, devices int, want Signature) (exe *xlapjrt.LoadedExecutable, found bool, err error) {
	path := d.Path(key)
	payload, ours, err := readEntry(path, key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err == nil {
		exe, err = pjrt.DeserializeOn(client, payload, devices)
		if err == nil {
			if err = CheckSignature(client, exe, want, devices); err != nil {
				_ = exe.Destroy()
				exe = nil
			}
		}
	}
	if err != nil {
		if !ours {
			return nil, true, fmt.Errorf("%s: %w (left alone: brainc did not write it; compiling instead)", path, err)
		}
		_ = os.Remove(path)
		return nil, true, fmt.Errorf("%s: %w (removed; compiling instead)", path, err)
	}
	touch(path) // most recently used
	return exe, true, nil
}

// touch sets a regular file's times to now, through a descriptor opened
// without following links (os.Chtimes would follow one).
func touch(path string) {
	f, err := openEntry(path)
	if err != nil {
		return
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return
	}
	now := syscall.NsecToTimeval(time.Now().UnixNano())
	_ = syscall.Futimes(int(f.Fd()), []syscall.Timeval{now, now})
}

// Remove removes key's entry when it is one brainc wrote, and reports
// whether it did.
func (d *Cache) Remove(key [32]byte) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	path := d.Path(key)
	if ok, _ := ownEntry(path); !ok {
		return false
	}
	return os.Remove(path) == nil
}

// CheckSignature checks an executable, compiled partitioned across
// devices, against want: its name, its number of results, and each
// result's element type and (on one device, where the plugin reports the
// whole shapes) dimensions, as the plugin reports them (a plugin that
// cannot report them is checked on its name and result count).
func CheckSignature(client *xlapjrt.Client, exe *xlapjrt.LoadedExecutable, want Signature, devices int) error {
	if exe.Name != want.Name {
		return fmt.Errorf("%w: it holds the program %q, expected %q", errDamaged, exe.Name, want.Name)
	}
	if exe.NumOutputs != len(want.Results) {
		return fmt.Errorf("%w: its program has %d results, expected %d", errDamaged, exe.NumOutputs, len(want.Results))
	}
	outs, err := pjrt.Outputs(client, exe)
	if errors.Is(err, pjrt.ErrNoSerialization) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %w", errDamaged, err)
	}
	if len(outs) != len(want.Results) {
		return fmt.Errorf("%w: its program has %d result shapes, expected %d", errDamaged, len(outs), len(want.Results))
	}
	for i, r := range want.Results {
		dims, elem, ok := parseTensorType(r)
		if !ok {
			continue
		}
		if t, known := pjrt.ElementType(elem); known && t != outs[i].Type {
			return fmt.Errorf("%w: result %d has PJRT element type %d, expected %s (%d)", errDamaged, i, outs[i].Type, elem, t)
		}
		if devices == 1 && !slices.Equal(dims, outs[i].Dims) {
			return fmt.Errorf("%w: result %d has dimensions %v, expected %v (%s)", errDamaged, i, outs[i].Dims, dims, r)
		}
	}
	return nil
}

// parseTensorType reads tensor<AxBx…xT>: its dimensions and element type
// (ok is false for anything else, such as dynamic dimensions).
func parseTensorType(s string) (dims []int64, elem string, ok bool) {
	inner, found := strings.CutPrefix(s, "tensor<")
	if !found || !strings.HasSuffix(inner, ">") {
		return nil, "", false
	}
	parts := strings.Split(strings.TrimSuffix(inner, ">"), "x")
	elem = parts[len(parts)-1]
	dims = []int64{}
	for _, p := range parts[:len(parts)-1] {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return nil, "", false
		}
		dims = append(dims, n)
	}
	return dims, elem, elem != ""
}

// readEntry reads the entry at path and returns its payload, checked
// against key. ours reports whether the file is one brainc's cache wrote
// (a regular file that starts with cacheMagicPrefix), which may be
// removed when it fails a check. The file is opened without following
// links or blocking (a FIFO), and only a regular file of at most
// MaxEntryBytes is read; fs.ErrNotExist says there is no entry.
func readEntry(path string, key [32]byte) (payload []byte, ours bool, err error) {
	f, err := openEntry(path)
	if errors.Is(err, syscall.ELOOP) {
		return nil, false, fmt.Errorf("%w: a symbolic link (not followed)", errDamaged)
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !info.Mode().IsRegular() {
		return nil, false, fmt.Errorf("%w: not a regular file (%s)", errDamaged, info.Mode().Type())
	}
	head := make([]byte, headerSize)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	head = head[:n]
	ours = bytes.HasPrefix(head, []byte(cacheMagicPrefix))
	if size := info.Size(); size > MaxEntryBytes {
		return nil, ours, fmt.Errorf("%w: %d bytes, more than the %d an entry may have", errDamaged, size, MaxEntryBytes)
	}
	if n < headerSize || !bytes.Equal(head[:8], cacheMagic[:]) {
		return nil, ours, fmt.Errorf("%w: no brainc cache header", errDamaged)
	}
	length := binary.LittleEndian.Uint64(head[40:48])
	if length != uint64(info.Size()-headerSize) {
		return nil, ours, fmt.Errorf("%w: %d payload bytes, the header says %d", errDamaged, info.Size()-headerSize, length)
	}
	data := make([]byte, headerSize+int(length)+1) // one more: a file grown since
	copy(data, head)
	m, err := io.ReadFull(f, data[headerSize:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, ours, err
	}
	payload, err = checkEntry(data[:headerSize+m], key)
	return payload, ours, err
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

// encodeEntry is the entry of payload under key: header and payload.
func encodeEntry(key [32]byte, payload []byte) []byte {
	out := make([]byte, 0, headerSize+len(payload))
	out = append(out, cacheMagic[:]...)
	out = append(out, key[:]...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(payload)))
	sum := sha256.Sum256(payload)
	out = append(out, sum[:]...)
	return append(out, payload...)
}

// Store serializes exe and writes it under key (atomically: a reader never
// sees a partial entry), then sweeps stale temporaries and trims the
// directory to MaxBytes. Anything under the entry's name that brainc did
// not write is left alone (and the entry not written).
func (d *Cache) Store(client *xlapjrt.Client, key [32]byte, exe *xlapjrt.LoadedExecutable) error {
	payload, err := pjrt.Serialize(client, exe)
	if err != nil {
		return err
	}
	if len(payload) > MaxEntryBytes-headerSize {
		return fmt.Errorf("the program's %d bytes exceed the %d an entry may have", len(payload), MaxEntryBytes-headerSize)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return err
	}
	d.sweep()
	path := d.Path(key)
	if ok, err := ownEntry(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	} else if err == nil && !ok {
		return fmt.Errorf("%s: brainc did not write it; left alone (remove it to cache this program)", path)
	}
	if err := writeEntry(path, encodeEntry(key, payload)); err != nil {
		return err
	}
	return d.trim(path)
}

// writeEntry writes data to path through a temporary beside it named for
// this process (.<name>.tmp-<pid>-<random>, see sweep), renamed into place.
func writeEntry(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, fmt.Sprintf(".%s.tmp-%d-*", base, os.Getpid()))
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// openEntry opens path for reading without following a link (a link is
// an error) or blocking (a FIFO opens at once).
func openEntry(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}

// ownEntry reports whether path is a file brainc's cache wrote: a regular
// file, not a link, that starts with cacheMagicPrefix.
func ownEntry(path string) (bool, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return false, err
	}
	if !info.Mode().IsRegular() {
		return false, nil
	}
	f, err := openEntry(path)
	if err != nil {
		return false, nil // replaced by a link meanwhile
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false, nil
	}
	head := make([]byte, len(cacheMagicPrefix))
	if _, err := io.ReadFull(f, head); err != nil {
		return false, nil
	}
	return string(head) == cacheMagicPrefix, nil
}

// sweep removes the temporaries of entries whose writer is gone (its
// process ID names no process) or that are older than StaleTempAge, and
// returns how many. Only regular files named as brainc's temporaries are
// removed.
func (d *Cache) sweep() int {
	list, err := os.ReadDir(d.Dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range list {
		m := tempName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		stale := time.Since(info.ModTime()) > StaleTempAge
		if pid, err := strconv.Atoi(m[1]); err == nil && pid > 0 && !alive(pid) {
			stale = true
		}
		if stale && os.Remove(filepath.Join(d.Dir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// alive reports whether a process with that ID exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// cacheFile is one entry on disk.
type cacheFile struct {
	path string
	size int64
	used time.Time
}

// entries lists the directory's entries, least recently used first.
func (d *Cache) entries() ([]cacheFile, error) {
	list, err := os.ReadDir(d.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []cacheFile
	for _, e := range list {
		if !entryName.MatchString(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if ok, _ := ownEntry(filepath.Join(d.Dir, e.Name())); !ok {
			continue // not brainc's: never counted, trimmed or cleared
		}
		out = append(out, cacheFile{filepath.Join(d.Dir, e.Name()), info.Size(), info.ModTime()})
	}
	slices.SortFunc(out, func(a, b cacheFile) int { return a.used.Compare(b.used) })
	return out, nil
}

// trim removes the least recently used entries past MaxBytes, but never
// keep (the entry just written).
func (d *Cache) trim(keep string) error {
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
func (d *Cache) Info() (entries int, size int64, err error) {
	files, err := d.entries()
	for _, f := range files {
		size += f.size
	}
	return len(files), size, err
}

// Clear removes every entry (and nothing else: files brainc's cache did
// not write stay) and the temporaries of writers that are gone, and
// returns how many entries it removed.
func (d *Cache) Clear() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.sweep()
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

// NameModule returns text with its module (module @<name> …) renamed
// <name>_<SHA-256 of text in hex>, and that name. The compiled executable
// carries the name, so an executable read back from the disk cache shows
// the whole text it was compiled from: its argument and result types,
// its operations and constants.
func NameModule(text string) (named, name string, err error) {
	const head = "module @"
	rest, ok := strings.CutPrefix(text, head)
	if !ok {
		return "", "", fmt.Errorf("diskcache: the program does not start with %q", head)
	}
	end := strings.IndexAny(rest, " {\n")
	if end <= 0 {
		return "", "", fmt.Errorf("diskcache: the program's module has no name")
	}
	for _, r := range rest[:end] {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return "", "", fmt.Errorf("diskcache: the program's module name %q is not a plain identifier", rest[:end])
		}
	}
	sum := sha256.Sum256([]byte(text))
	name = fmt.Sprintf("%s_%x", rest[:end], sum)
	return head + name + rest[end:], name, nil
}

// MainSignature returns the types of @main's arguments and results in
// text (tensor<…> each, in order).
func MainSignature(text string) (args, results []string, err error) {
	at := strings.Index(text, "func.func @main(")
	if at < 0 {
		at = strings.Index(text, "func.func public @main(")
	}
	if at < 0 {
		return nil, nil, fmt.Errorf("diskcache: the program has no func.func @main")
	}
	line := text[at:]
	if nl := strings.IndexByte(line, '\n'); nl >= 0 {
		line = line[:nl]
	}
	arrow := strings.LastIndex(line, ") -> ")
	if arrow < 0 {
		return nil, nil, fmt.Errorf("diskcache: @main has no result types")
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
