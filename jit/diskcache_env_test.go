package jit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/brainc/brainc/jit"
)

// DefaultDiskCache reads its directory, cap and switch from the
// environment.
func TestDefaultDiskCache(t *testing.T) {
	t.Setenv(jit.EnvCacheDir, "/tmp/somewhere")
	t.Setenv(jit.EnvCacheMaxMB, "64")
	d, err := jit.DefaultDiskCache()
	require.NoError(t, err)
	assert.Equal(t, "/tmp/somewhere", d.Dir)
	assert.Equal(t, int64(64<<20), d.MaxBytes)
	for _, bad := range []string{"x", "-1", "0", "1e300", "1e-7", "0.5", "NaN", "Inf", "64MB", " 64"} {
		t.Setenv(jit.EnvCacheMaxMB, bad)
		_, err = jit.DefaultDiskCache()
		assert.EqualError(t, err, `BRAINC_CACHE_MAX_MB: expected a size in MiB in [1, 1073741824], got "`+bad+`"`)
	}
	t.Setenv(jit.EnvCacheMaxMB, "0.5e3")
	d, err = jit.DefaultDiskCache()
	require.NoError(t, err)
	assert.Equal(t, int64(500<<20), d.MaxBytes)
	t.Setenv(jit.EnvCache, "offf")
	_, err = jit.DefaultDiskCache()
	assert.EqualError(t, err, `BRAINC_CACHE: expected on or off, got "offf"`)
	t.Setenv(jit.EnvCache, "off")
	d, err = jit.DefaultDiskCache()
	require.NoError(t, err)
	assert.Nil(t, d)
}
