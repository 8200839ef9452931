// Package pjrt finds and opens the backend brainc runs on: an XLA PJRT plugin
// (CUDA when a GPU is present, otherwise CPU) or GoMLX's pure-Go backend.
//
// Discovery (this file) only looks at the file system and the environment, so
// it can be tested on fake directory trees; Open (open.go) loads what was
// found. The search order is:
//
//  1. an explicit choice: Options.Backend, else $BRAINC_BACKEND
//     ("cpu", "cuda", "go" or an absolute path to a plugin .so);
//  2. CUDA, when an NVIDIA GPU is present and a CUDA PJRT plugin is found
//     (go-xla's plugin directories, or JAX's jax_plugins/xla_cuda12|13 in any
//     Python site-packages);
//  3. the CPU PJRT plugin (installed by `make setup`);
//  4. the pure-Go backend, with a warning on stderr.
package pjrt

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Kind is a class of backend.
type Kind string

// Backend kinds, in the order automatic selection prefers them.
const (
	// CUDA is an XLA PJRT plugin for NVIDIA GPUs.
	CUDA Kind = "cuda"
	// CPU is XLA's PJRT plugin for the host CPU.
	CPU Kind = "cpu"
	// Go is GoMLX's pure-Go backend: portable and slow.
	Go Kind = "go"
	// Path is a PJRT plugin given by absolute path.
	Path Kind = "path"
)

// EnvBackend is the environment variable that selects a backend when no
// explicit choice is passed: "cpu", "cuda", "go" or an absolute plugin path.
const EnvBackend = "BRAINC_BACKEND"

// envPluginPath is go-xla's list of plugin directories (":"-separated).
const envPluginPath = "PJRT_PLUGIN_LIBRARY_PATH"

// pluginFile returns the file name go-xla expects for a named plugin.
func pluginFile(name string) string { return "pjrt_c_api_" + name + "_plugin.so" }

// jaxCUDAPlugins are the CUDA plugins shipped by JAX's jax-cuda1x-pjrt
// wheels, relative to a site-packages directory; newest first.
var jaxCUDAPlugins = []string{
	"jax_plugins/xla_cuda13/xla_cuda_plugin.so",
	"jax_plugins/xla_cuda12/xla_cuda_plugin.so",
}

// Env is what discovery reads from the machine. DefaultEnv reads the real
// one; tests substitute fake trees.
type Env struct {
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Home is the user's home directory ("" if unknown).
	Home string
	// GPUPresent reports whether an NVIDIA GPU is visible.
	GPUPresent func() bool
	// SitePackages lists Python site-packages directories to search for JAX's
	// CUDA plugin.
	SitePackages func() []string
}

// DefaultEnv returns the Env of the running machine.
func DefaultEnv() Env {
	home, _ := os.UserHomeDir()
	return Env{
		Getenv:       os.Getenv,
		Home:         home,
		GPUPresent:   nvidiaGPUPresent,
		SitePackages: func() []string { return pythonSitePackages(home) },
	}
}

// Candidate is one backend discovery considered.
type Candidate struct {
	// Kind of backend.
	Kind Kind
	// Path is the plugin file found ("" for Go, or when not found).
	Path string
	// Searched lists the files looked for, in order.
	Searched []string
	// Skip says why the candidate is not usable ("" when it can be tried).
	Skip string
}

// PluginDirs returns go-xla's plugin directories: $PJRT_PLUGIN_LIBRARY_PATH
// when set, else ~/.local/lib/go-xla and /usr/local/lib/go-xla.
func PluginDirs(env Env) []string {
	if v := env.Getenv(envPluginPath); v != "" {
		return slices.DeleteFunc(strings.Split(v, ":"), func(s string) bool { return s == "" })
	}
	var dirs []string
	if env.Home != "" {
		dirs = append(dirs, filepath.Join(env.Home, ".local", "lib", "go-xla"))
	}
	return append(dirs, "/usr/local/lib/go-xla")
}

// findFirst returns the first existing regular file among paths.
func findFirst(paths []string) string {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// FindCPU looks for the CPU PJRT plugin in the plugin directories.
func FindCPU(env Env) Candidate {
	c := Candidate{Kind: CPU}
	for _, d := range PluginDirs(env) {
		c.Searched = append(c.Searched, filepath.Join(d, pluginFile("cpu")))
	}
	if c.Path = findFirst(c.Searched); c.Path == "" {
		c.Skip = "CPU PJRT plugin not found; run `make setup` (installs " + pluginFile("cpu") + " into ~/.local/lib/go-xla)"
	}
	return c
}

// FindCUDA looks for a CUDA PJRT plugin: go-xla's plugin directories first,
// then JAX's plugin in every Python site-packages. When requireGPU is true
// and no GPU is visible, the candidate is skipped.
func FindCUDA(env Env, requireGPU bool) Candidate {
	c := Candidate{Kind: CUDA}
	for _, d := range PluginDirs(env) {
		c.Searched = append(c.Searched, filepath.Join(d, pluginFile("cuda")))
	}
	for _, site := range env.SitePackages() {
		for _, rel := range jaxCUDAPlugins {
			c.Searched = append(c.Searched, filepath.Join(site, rel))
		}
	}
	c.Path = findFirst(c.Searched)
	switch {
	case requireGPU && !env.GPUPresent():
		c.Skip = "no NVIDIA GPU visible (no /dev/nvidia*, nvidia-smi absent or failing)"
	case c.Path == "":
		c.Skip = "CUDA PJRT plugin not found; install JAX's plugin (pip install \"jax[cuda12]\") or put " +
			pluginFile("cuda") + " in a go-xla plugin directory"
	}
	return c
}

// Choice is the backend selection requested by the user.
type Choice struct {
	// Kind is the requested kind, or "" for automatic selection.
	Kind Kind
	// Path is set when Kind is Path.
	Path string
	// From says where the choice came from ("--backend", "$BRAINC_BACKEND" or "").
	From string
}

// ParseChoice interprets a backend name: "", "auto", "cpu", "cuda", "go" or
// an absolute path to a plugin file. from names the flag or variable it came
// from, for error messages.
func ParseChoice(s, from string) (Choice, error) {
	switch s {
	case "", "auto":
		return Choice{From: from}, nil
	case string(CPU), string(CUDA), string(Go):
		return Choice{Kind: Kind(s), From: from}, nil
	}
	if filepath.IsAbs(s) {
		return Choice{Kind: Path, Path: s, From: from}, nil
	}
	return Choice{}, &ChoiceError{From: from, Value: s}
}

// ChoiceError reports an unknown backend name.
type ChoiceError struct {
	From, Value string
}

// Error names the flag or variable, the value and the accepted choices.
func (e *ChoiceError) Error() string {
	return e.From + ": unknown backend " + quote(e.Value) +
		`: expected "cpu", "cuda", "go", "auto" or an absolute path to a PJRT plugin .so`
}

func quote(s string) string { return `"` + s + `"` }

// Plan lists the candidates to try, in order, for a choice. Only the first
// usable candidate is opened; the others explain themselves in `brainc devices`.
func Plan(choice Choice, env Env) []Candidate {
	switch choice.Kind {
	case CPU:
		return []Candidate{FindCPU(env)}
	case CUDA:
		return []Candidate{FindCUDA(env, false)}
	case Go:
		return []Candidate{{Kind: Go}}
	case Path:
		c := Candidate{Kind: Path, Searched: []string{choice.Path}}
		if c.Path = findFirst(c.Searched); c.Path == "" {
			c.Skip = "no plugin file at " + choice.Path
		}
		return []Candidate{c}
	}
	return []Candidate{FindCUDA(env, true), FindCPU(env), {Kind: Go}}
}

// nvidiaGPUPresent reports whether an NVIDIA GPU is visible: a /dev/nvidiaN
// device file, or nvidia-smi listing a GPU.
func nvidiaGPUPresent() bool {
	if m, _ := filepath.Glob("/dev/nvidia[0-9]*"); len(m) > 0 {
		return true
	}
	if _, err := exec.LookPath("nvidia-smi"); err != nil {
		return false
	}
	out, err := runWithTimeout(5*time.Second, "nvidia-smi", "-L")
	return err == nil && strings.Contains(out, "GPU")
}

// pythonSitePackages lists candidate site-packages directories: those the
// machine's python3 reports, plus the usual virtualenv, conda, pyenv and system
// locations.
func pythonSitePackages(home string) []string {
	var dirs []string
	if out, err := runWithTimeout(10*time.Second, "python3", "-c",
		"import site,sys;print('\\n'.join(site.getsitepackages()+[site.getusersitepackages()]))"); err == nil {
		dirs = append(dirs, strings.Fields(out)...)
	}
	patterns := []string{
		"/usr/lib/python3*/site-packages", "/usr/lib/python3/dist-packages",
		"/usr/local/lib/python3*/site-packages", "/usr/local/lib/python3*/dist-packages",
		"/opt/conda/lib/python3*/site-packages",
	}
	if v := os.Getenv("VIRTUAL_ENV"); v != "" {
		patterns = append(patterns, filepath.Join(v, "lib", "python3*", "site-packages"))
	}
	if home != "" {
		patterns = append(patterns,
			filepath.Join(home, ".local", "lib", "python3*", "site-packages"),
			filepath.Join(home, ".pyenv", "versions", "*", "lib", "python3*", "site-packages"),
			filepath.Join(home, "miniconda3", "lib", "python3*", "site-packages"),
			filepath.Join(home, "anaconda3", "lib", "python3*", "site-packages"))
	}
	for _, p := range patterns {
		m, _ := filepath.Glob(p)
		dirs = append(dirs, m...)
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(dirs, func(d string) bool {
		if seen[d] {
			return true
		}
		seen[d] = true
		return false
	})
}

// runWithTimeout runs a command and returns its standard output.
func runWithTimeout(d time.Duration, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}
