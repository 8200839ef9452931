package jit

import (
	"sync"

	"github.com/brainc/brainc/diskcache"
)

// DiskCache is a directory of compiled loop programs that outlives the
// process (package diskcache).
type DiskCache = diskcache.Cache

// Environment variables configuring DefaultDiskCache (see diskcache).
const (
	// EnvCacheDir overrides the cache directory.
	EnvCacheDir = diskcache.EnvCacheDir
	// EnvCache set to "off" disables the disk cache.
	EnvCache = diskcache.EnvCache
	// EnvCacheMaxMB sets the size cap in MiB.
	EnvCacheMaxMB = diskcache.EnvCacheMaxMB
)

// DefaultDiskCache is the user's cache (diskcache.Default): nil with
// BRAINC_CACHE=off, an error naming the variable for a bad setting.
func DefaultDiskCache() (*DiskCache, error) { return diskcache.Default() }

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
