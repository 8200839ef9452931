package pjrt

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeEnv builds an Env over a temporary tree with the given files created.
func fakeEnv(t *testing.T, gpu bool, vars map[string]string, files ...string) (Env, string) {
	t.Helper()
	root := t.TempDir()
	for _, f := range files {
		p := filepath.Join(root, f)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("not really a plugin"), 0o644))
	}
	env := Env{
		Getenv: func(k string) string {
			if v, ok := vars[k]; ok {
				return filepath.Join(root, v)
			}
			return ""
		},
		Home:         filepath.Join(root, "home"),
		GPUPresent:   func() bool { return gpu },
		SitePackages: func() []string { return []string{filepath.Join(root, "site")} },
	}
	return env, root
}

func TestPlanAuto(t *testing.T) {
	cpuFile := "home/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so"
	jax12 := "site/jax_plugins/xla_cuda12/xla_cuda_plugin.so"
	tests := []struct {
		name  string
		gpu   bool
		vars  map[string]string
		files []string
		want  []Kind // kinds without Skip, in order
		first string // path of the first usable candidate, relative to root
	}{
		{"cpu only", false, nil, []string{cpuFile}, []Kind{CPU, Go}, cpuFile},
		{"nothing installed", false, nil, nil, []Kind{Go}, ""},
		{"jax cuda with gpu", true, nil, []string{cpuFile, jax12}, []Kind{CUDA, CPU, Go}, jax12},
		{"jax cuda without gpu", false, nil, []string{cpuFile, jax12}, []Kind{CPU, Go}, cpuFile},
		{"cuda13 preferred over cuda12", true, nil,
			[]string{jax12, "site/jax_plugins/xla_cuda13/xla_cuda_plugin.so"}, []Kind{CUDA, Go},
			"site/jax_plugins/xla_cuda13/xla_cuda_plugin.so"},
		{"PJRT_PLUGIN_LIBRARY_PATH overrides the default dirs", false,
			map[string]string{envPluginPath: "plugins"}, []string{cpuFile, "plugins/pjrt_c_api_cpu_plugin.so"},
			[]Kind{CPU, Go}, "plugins/pjrt_c_api_cpu_plugin.so"},
		{"go-xla cuda plugin dir", true, nil, []string{"home/.local/lib/go-xla/pjrt_c_api_cuda_plugin.so"},
			[]Kind{CUDA, Go}, "home/.local/lib/go-xla/pjrt_c_api_cuda_plugin.so"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, root := fakeEnv(t, tc.gpu, tc.vars, tc.files...)
			plan := Plan(Choice{}, env)
			var usable []Kind
			for _, c := range plan {
				if c.Skip == "" {
					usable = append(usable, c.Kind)
				}
			}
			assert.Equal(t, tc.want, usable)
			if tc.first != "" {
				for _, c := range plan {
					if c.Skip == "" {
						assert.Equal(t, filepath.Join(root, tc.first), c.Path)
						break
					}
				}
			}
		})
	}
}

func TestPlanExplicit(t *testing.T) {
	env, root := fakeEnv(t, false, nil, "x/my_plugin.so")
	// Explicit cuda does not require a visible GPU, but must name what it searched.
	c := Plan(Choice{Kind: CUDA}, env)
	require.Len(t, c, 1)
	assert.Contains(t, c[0].Skip, "CUDA PJRT plugin not found")
	assert.Contains(t, c[0].Searched, filepath.Join(root, "site/jax_plugins/xla_cuda12/xla_cuda_plugin.so"))
	assert.Contains(t, c[0].Searched, filepath.Join(root, "home/.local/lib/go-xla/pjrt_c_api_cuda_plugin.so"))

	c = Plan(Choice{Kind: CPU}, env)
	assert.Contains(t, c[0].Skip, "run `make setup`")

	c = Plan(Choice{Kind: Path, Path: filepath.Join(root, "x/my_plugin.so")}, env)
	assert.Equal(t, "", c[0].Skip)
	c = Plan(Choice{Kind: Path, Path: filepath.Join(root, "x/missing.so")}, env)
	assert.Equal(t, "no plugin file at "+filepath.Join(root, "x/missing.so"), c[0].Skip)
}

func TestParseChoice(t *testing.T) {
	tests := []struct {
		in      string
		want    Choice
		wantErr string
	}{
		{"", Choice{From: "--backend"}, ""},
		{"auto", Choice{From: "--backend"}, ""},
		{"cpu", Choice{Kind: CPU, From: "--backend"}, ""},
		{"cuda", Choice{Kind: CUDA, From: "--backend"}, ""},
		{"go", Choice{Kind: Go, From: "--backend"}, ""},
		{"/opt/p.so", Choice{Kind: Path, Path: "/opt/p.so", From: "--backend"}, ""},
		{"tpu", Choice{}, `--backend: unknown backend "tpu": expected "cpu", "cuda", "go", "auto" or an absolute path to a PJRT plugin .so`},
		{"rel/p.so", Choice{}, `--backend: unknown backend "rel/p.so": expected "cpu", "cuda", "go", "auto" or an absolute path to a PJRT plugin .so`},
	}
	for _, tc := range tests {
		got, err := ParseChoice(tc.in, "--backend")
		if tc.wantErr != "" {
			assert.EqualError(t, err, tc.wantErr, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestOpenErrors(t *testing.T) {
	env, root := fakeEnv(t, false, nil, "bad/pjrt_c_api_cpu_plugin.so")
	// Explicit CPU with nothing installed: the error lists the paths searched.
	_, err := Open(Options{Backend: "cpu", Env: &env})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--backend: backend "cpu" cannot be used:`)
	assert.Contains(t, err.Error(), "searched "+filepath.Join(root, "home/.local/lib/go-xla/pjrt_c_api_cpu_plugin.so"))
	assert.Contains(t, err.Error(), "run `make setup`")

	// A file that is not a plugin fails to load with the loader's reason.
	_, err = Open(Options{Backend: filepath.Join(root, "bad/pjrt_c_api_cpu_plugin.so"), Env: &env})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "failed to load")

	// The environment variable is used when no flag is given, and named in errors.
	env.Getenv = func(k string) string {
		if k == EnvBackend {
			return "gpu"
		}
		return ""
	}
	_, err = Open(Options{Env: &env})
	assert.EqualError(t, err, `$BRAINC_BACKEND: unknown backend "gpu": expected "cpu", "cuda", "go", "auto" or an absolute path to a PJRT plugin .so`)
}

func TestCUDADataDir(t *testing.T) {
	_, root := fakeEnv(t, true, nil, "site/nvidia/cuda_nvcc/nvvm/libdevice/libdevice.10.bc",
		"site/jax_plugins/xla_cuda12/xla_cuda_plugin.so")
	assert.Equal(t, filepath.Join(root, "site/nvidia/cuda_nvcc"),
		CUDADataDir(filepath.Join(root, "site/jax_plugins/xla_cuda12/xla_cuda_plugin.so")))
	assert.Equal(t, "", CUDADataDir(filepath.Join(root, "elsewhere/a/b/plugin.so")))
}
