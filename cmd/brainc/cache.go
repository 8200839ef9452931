package main

import (
	"fmt"
	"io"
	"sync"

	"github.com/brainc/brainc/jit"
)

// diskCacheOnce sets the process's disk cache up once (Main may run many
// commands in tests).
var diskCacheOnce sync.Once

// useDiskCache makes the runs of this process use the user's disk cache of
// compiled programs (jit.DefaultDiskCache); a bad configuration is said on
// stderr once, and runs go on without it.
func useDiskCache(stderr io.Writer) {
	diskCacheOnce.Do(func() {
		d, err := jit.DefaultDiskCache()
		if err != nil {
			fmt.Fprintf(stderr, "brainc: no disk cache of compiled programs: %v\n", err)
			return
		}
		jit.UseDiskCache(d)
	})
}

// cmdCache shows or empties the disk cache of compiled programs.
func cmdCache(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("cache", "info|clear", stderr)
	pos, err := parseFlags(fs, args, 1)
	if err != nil {
		return err
	}
	d, err := jit.DefaultDiskCache()
	if err != nil {
		return err
	}
	if d == nil {
		fmt.Fprintf(stdout, "the disk cache is off (%s=off)\n", jit.EnvCache)
		return nil
	}
	switch pos[0] {
	case "info":
		n, size, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d compiled programs, %s of %s (set %s, %s, %s=off)\n",
			d.Dir, n, mib(size), mib(d.MaxBytes), jit.EnvCacheDir, jit.EnvCacheMaxMB, jit.EnvCache)
	case "clear":
		n, err := d.Clear()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: removed %d compiled programs\n", d.Dir, n)
	default:
		return &usageError{fmt.Sprintf("expected info or clear, got %q", pos[0])}
	}
	return nil
}

// mib formats a size in MiB.
func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
