// Package atomicfile writes files so that readers never see a partial one:
// the content goes to a temporary file in the same directory, which is renamed
// over the destination only when writing, syncing and closing all succeeded.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// Write creates (or replaces) the file at path with what write produces,
// through a buffered writer. On any error no file is left at path (an
// existing one is untouched) and the temporary file is removed. Errors from
// write are returned as they are.
func Write(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("creating temporary file for %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s to %s: %w", tmp, path, err)
	}
	return nil
}

// ListFile is the file in which Dir records the names of the files it
// moved into a directory, so that a later Dir with Overwrite can remove
// exactly that set (and nothing a user put beside it). It is read back as
// untrusted: see readList.
const ListFile = ".brainc-files"

// stagePrefix starts the name of a staging directory, followed by the
// process ID of its writer, so that the stages of dead writers can be told
// from live ones and recovered or removed.
const stagePrefix = ".partial-"

// replacesFile, inside a staging directory, lists the earlier set that the
// staged set replaces. It is written before the stage's own ListFile, whose
// presence marks the stage committed: from then on the new set is the one
// the directory holds, moved in by rollForward (again after a crash).
const replacesFile = ".brainc-replaces"

// Bounds on a ListFile read back: its size, its entries, a name's length,
// and how deep listed directories (each with its own ListFile) may nest.
const (
	maxListBytes = 16 << 20
	maxListed    = 1 << 20
	maxNameBytes = 255
	maxDepth     = 4
)

// DirOptions configures Dir.
type DirOptions struct {
	// Overwrite lets Dir replace the files an earlier Dir wrote into the
	// directory (removed first, as listed in ListFile). Without it, a
	// directory holding anything but stale staging directories is refused.
	Overwrite bool
	// Known names the files a writer of this kind writes: found without a
	// ListFile (written before brainc kept one), they count as an earlier set.
	Known []string
}

// Dir fills a directory as a whole: fill writes its files (or directories
// filled by Dir themselves) into a fresh staging directory inside dir (so
// that moving them in never crosses file systems, dir being a mount point
// for example) and returns their names; only when it succeeds is the new
// set committed and moved into dir, replacing the earlier set.
//
// Dir holds an exclusive lock on dir while it works (or uses the one this
// process holds through Reserve): a second writer gets an error, never a
// mixed set. A kill at any point leaves the earlier set (before the commit)
// or the new one (after it, completed by the next Dir, Reserve or Recover
// on dir). On error the staging directory is removed, and dir is left as it
// was (removed again if Dir created it).
func Dir(dir string, opts DirOptions, fill func(stage string) (files []string, err error)) (err error) {
	l := heldLock(dir)
	if l == nil {
		if l, err = lockNew(dir); err != nil {
			return err
		}
		defer func() { l.release(err != nil) }()
	}
	if err := recoverLocked(dir); err != nil {
		return err
	}
	old, err := previousFiles(dir, opts)
	if err != nil {
		return err
	}
	stage, err := os.MkdirTemp(dir, fmt.Sprintf("%s%d-", stagePrefix, os.Getpid()))
	if err != nil {
		return fmt.Errorf("creating a staging directory in %s: %w", dir, err)
	}
	committed := false
	defer func() {
		if !committed { // a committed stage is completed by the next writer
			os.RemoveAll(stage)
		}
	}()
	files, err := fill(stage)
	if err != nil {
		return err
	}
	crashPoint()
	seen := map[string]bool{}
	for _, f := range files {
		if why := checkName(f); why != "" || seen[f] {
			if why == "" {
				why = "listed twice"
			}
			return fmt.Errorf("atomicfile: the writer of %s returned %q: %s", dir, f, why)
		}
		seen[f] = true
		if fi, err := os.Lstat(filepath.Join(stage, f)); err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
			return fmt.Errorf("atomicfile: the writer of %s returned %q, which it did not write as a file or directory", dir, f)
		}
	}
	if len(old) > 0 { // none: nothing to replace
		if err := writeList(filepath.Join(stage, replacesFile), old); err != nil {
			return err
		}
	}
	crashPoint()
	if err := writeList(filepath.Join(stage, ListFile), files); err != nil { // the commit
		return err
	}
	committed = true
	if err := syncDir(stage); err != nil {
		return err
	}
	return rollForward(dir, stage)
}

// writeList writes names, one a line, to path (atomically, synced).
func writeList(path string, names []string) error {
	return Write(path, func(w io.Writer) error {
		for _, n := range names {
			if _, err := io.WriteString(w, n+"\n"); err != nil {
				return err
			}
		}
		return nil
	})
}

// rollForward moves a committed stage's set into dir: each file or
// directory not yet moved is renamed in (over the earlier file of that
// name), the rest of the earlier set is removed, then the stage's ListFile
// replaces dir's and the stage goes. Each step can be repeated after a
// kill, so a crash anywhere is completed by calling it again.
func rollForward(dir, stage string) error {
	files, _, err := readList(filepath.Join(stage, ListFile))
	if err != nil {
		return err
	}
	old, _, err := readList(filepath.Join(stage, replacesFile))
	if err != nil {
		return err
	}
	earlier := map[string]bool{}
	for _, f := range old {
		earlier[f] = true
	}
	for _, f := range files {
		src, dst := filepath.Join(stage, f), filepath.Join(dir, f)
		sfi, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // moved in before a kill
		} else if err != nil {
			return err
		}
		// rename replaces a file, never a directory (nor a file by one):
		// then the earlier entry of that name goes first.
		if dfi, err := os.Lstat(dst); err == nil && (sfi.IsDir() || dfi.IsDir()) {
			if !earlier[f] {
				return fmt.Errorf("output directory %s: %s is not brainc's: not replaced", dir, f)
			}
			if err := removeEntry(dir, f, 0); err != nil {
				return err
			}
		}
		crashPoint()
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("moving %s into %s: %w", f, dir, err)
		}
	}
	keep := map[string]bool{}
	for _, f := range files {
		keep[f] = true
	}
	for _, f := range old {
		if !keep[f] {
			crashPoint()
			if err := removeEntry(dir, f, 0); err != nil {
				return err
			}
		}
	}
	crashPoint()
	if err := os.Rename(filepath.Join(stage, ListFile), filepath.Join(dir, ListFile)); err != nil {
		return fmt.Errorf("writing %s of %s: %w", ListFile, dir, err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	crashPoint()
	return os.RemoveAll(stage)
}

// removeEntry removes an entry of an earlier set from dir: a regular file,
// or a directory holding only the files its own ListFile names (nested at
// most maxDepth deep). Anything else (a link, a device, a directory without
// a list or with files of the user's) is left, with an error.
func removeEntry(dir, name string, depth int) error {
	p := filepath.Join(dir, name)
	fi, err := os.Lstat(p)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return err
	case fi.Mode().IsRegular():
		if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("removing the earlier %s from %s: %w", name, dir, err)
		}
		return nil
	case !fi.IsDir():
		return fmt.Errorf("output directory %s: %s, listed as brainc's, is now a %s, not a file brainc wrote: not removed", dir, name, kind(fi))
	case depth >= maxDepth:
		return fmt.Errorf("output directory %s: %s nests more than %d directories: not removed", dir, name, maxDepth)
	}
	listed, _, err := readList(filepath.Join(p, ListFile))
	if err != nil {
		return err
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return err
	}
	for _, e := range entries { // checked whole before anything goes
		if e.Name() != ListFile && !slices.Contains(listed, e.Name()) {
			return fmt.Errorf("output directory %s: %s holds files brainc did not write (%s): not removed", dir, name, e.Name())
		}
	}
	for _, f := range listed {
		if err := removeEntry(p, f, depth+1); err != nil {
			return err
		}
	}
	if err := os.Remove(filepath.Join(p, ListFile)); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Remove(p); err != nil {
		return fmt.Errorf("removing the earlier %s from %s: %w", name, dir, err)
	}
	return nil
}

// kind names what a non-regular file is, for a message.
func kind(fi os.FileInfo) string {
	switch m := fi.Mode(); {
	case m&os.ModeSymlink != 0:
		return "symbolic link"
	case m&os.ModeNamedPipe != 0:
		return "named pipe"
	case m&os.ModeDevice != 0:
		return "device"
	case m&os.ModeSocket != 0:
		return "socket"
	case m.IsDir():
		return "directory"
	}
	return "special file"
}

// checkName says why name cannot be an entry of a ListFile ("" when it
// can): an entry is a plain base name, never a path, "." or "..", nor one
// of the names Dir keeps for itself.
func checkName(name string) string {
	switch {
	case name == "":
		return "an empty name"
	case name == "." || name == "..":
		return "not a file name"
	case strings.ContainsAny(name, "/\\"):
		return "a path, not a plain file name"
	case len(name) > maxNameBytes:
		return fmt.Sprintf("a name longer than %d bytes", maxNameBytes)
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "a name with control characters or invalid UTF-8"
	case name == ListFile || name == replacesFile || strings.HasPrefix(name, stagePrefix):
		return "a name brainc keeps for itself"
	}
	return ""
}

// readList reads a ListFile as untrusted: it must be a regular file (not
// followed through a link, not a FIFO), at most maxListBytes and maxListed
// lines, each a plain base name listed once. ok is false when there is
// none. A list that breaks any of this is refused whole, so that nothing is
// removed on its word.
func readList(path string) (names []string, ok bool, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	corrupt := func(why string) error {
		return fmt.Errorf("%s %s: the list of the files brainc wrote is corrupted, so nothing was removed on its word: clear the directory yourself, or choose another", path, why)
	}
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, false, corrupt("is a symbolic link, not the regular file brainc writes")
		}
		return nil, false, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, false, corrupt("is a " + kind(fi) + ", not the regular file brainc writes")
	}
	if fi.Size() > maxListBytes {
		return nil, false, corrupt(fmt.Sprintf("holds %d bytes, more than the %d a list may", fi.Size(), maxListBytes))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxListBytes+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxListBytes {
		return nil, false, corrupt(fmt.Sprintf("holds more than the %d bytes a list may", maxListBytes))
	}
	text := string(data)
	if text == "" || text == "\n" { // "\n": an empty set, as brainc before 28 wrote it
		return nil, true, nil
	}
	if !strings.HasSuffix(text, "\n") {
		return nil, false, corrupt("does not end with a newline (cut short?)")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) > maxListed {
		return nil, false, corrupt(fmt.Sprintf("lists %d entries, more than the %d a list may", len(lines), maxListed))
	}
	seen := make(map[string]bool, len(lines))
	for i, l := range lines {
		why := checkName(l)
		if why == "" && seen[l] {
			why = "listed twice"
		}
		if why != "" {
			return nil, false, corrupt(fmt.Sprintf("line %d: %q is %s", i+1, l, why))
		}
		seen[l] = true
	}
	return lines, true, nil
}

// previousFiles returns the files an earlier Dir wrote in dir (to replace
// once the new ones are ready), or an error when dir holds anything else,
// or holds an earlier set and overwrite is false. A listed name that is no
// longer a regular file or directory counts as not brainc's.
func previousFiles(dir string, opts DirOptions) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading output directory: %w", err)
	}
	listed, ok, err := readList(filepath.Join(dir, ListFile))
	if err != nil {
		return nil, err
	}
	if !ok {
		for _, e := range entries {
			if slices.Contains(opts.Known, e.Name()) && e.Type().IsRegular() {
				listed = append(listed, e.Name())
			}
		}
	}
	isListed := make(map[string]bool, len(listed))
	for _, f := range listed {
		isListed[f] = true
	}
	var foreign []string
	present := 0
	for _, e := range entries {
		name := e.Name()
		switch t := e.Type(); {
		case strings.HasPrefix(name, stagePrefix) && t.IsDir(): // a live writer's stage
		case name == ListFile:
		case isListed[name] && (t.IsRegular() || t.IsDir()):
			present++
		default:
			foreign = append(foreign, name)
		}
	}
	switch {
	case len(foreign) > 0:
		return nil, fmt.Errorf("output directory %s holds files brainc did not write (%s): choose an empty or new directory",
			dir, strings.Join(foreign[:min(3, len(foreign))], ", "))
	case present > 0 && !opts.Overwrite:
		var shown []string
		for _, f := range listed {
			if _, err := os.Lstat(filepath.Join(dir, f)); err == nil && len(shown) < 3 {
				shown = append(shown, f)
			}
		}
		return nil, fmt.Errorf("output directory %s holds an earlier run's files (%s): use --overwrite to replace them, or another directory",
			dir, strings.Join(shown, ", "))
	}
	return listed, nil
}

// recoverLocked completes or removes the staging directories that writers
// which died left in dir (locked by this process): a committed one is
// rolled forward, any other removed. The stages of live writers are left.
func recoverLocked(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading output directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, stagePrefix) || !e.IsDir() {
			continue
		}
		pid, ok := stagePID(name)
		if !ok {
			continue
		}
		stage := filepath.Join(dir, name)
		_, err := os.Lstat(filepath.Join(stage, ListFile))
		committed := err == nil
		// A stage of this process is live unless committed: a commit
		// happens under the lock, by a Dir that finished or failed since.
		if alive(pid) && !(pid == os.Getpid() && committed) {
			continue
		}
		if committed {
			if err := rollForward(dir, stage); err != nil {
				return fmt.Errorf("completing the interrupted write of %s: %w", dir, err)
			}
			continue
		}
		_ = os.RemoveAll(stage)
	}
	return nil
}

// Recover completes a write into dir that was interrupted after its commit
// (see Dir), so that dir holds one whole set; readers of a directory filled
// by Dir call it first. A dir that does not exist is left so.
func Recover(dir string) error {
	if _, err := os.Stat(dir); os.IsNotExist(err) {
		return nil
	}
	if l := heldLock(dir); l != nil {
		return recoverLocked(dir)
	}
	l, err := lockExisting(dir)
	if err != nil {
		return err
	}
	defer l.release(false)
	return recoverLocked(dir)
}

// stagePID reads the writer's process ID from a staging directory's name.
func stagePID(name string) (int, bool) {
	rest := strings.TrimPrefix(name, stagePrefix)
	i := strings.IndexByte(rest, '-')
	if i <= 0 {
		return 0, false
	}
	pid, err := strconv.Atoi(rest[:i])
	return pid, err == nil && pid > 0
}

// alive reports whether a process with that ID exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// crashHook, set by tests only, is called at each point of a write where
// a kill must leave a whole set behind (tests end the process there).
var crashHook func()

func crashPoint() {
	if crashHook != nil {
		crashHook()
	}
}

// syncDir flushes a directory's entries (the renames into it) to disk.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
