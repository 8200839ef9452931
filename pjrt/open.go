package pjrt

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	_ "github.com/gomlx/gomlx/backends/simplego" // registers the "go" backend
	"github.com/gomlx/gomlx/backends/xla"
)

// Options configures Open.
type Options struct {
	// Backend is "", "auto", "cpu", "cuda", "go" or an absolute plugin path.
	// Empty means: read $BRAINC_BACKEND, then choose automatically.
	Backend string
	// From names where Backend came from, for errors (default "--backend").
	From string
	// Stderr receives warnings (default os.Stderr).
	Stderr io.Writer
	// Env is the machine to discover on (default DefaultEnv()).
	Env *Env
	// CPUThreads, when > 0, confines the process to that many CPUs before
	// the CPU plugin is opened (XLA then runs kernels on as many threads):
	// for a small network, one CPU saves the cross-CPU hand-offs of its
	// dozens of small kernels per step (docs/backends.md). 0: every CPU.
	CPUThreads int
	// CPUFlags are XLA flags added to $XLA_FLAGS when the CPU plugin is
	// opened (e.g. learn.CPUFlags). XLA reads $XLA_FLAGS once per process,
	// so they take effect only if this is the process's first XLA backend.
	CPUFlags []string
	// Devices is how many devices the CPU plugin's client has (virtual
	// devices sharing the CPUs, for a run split across devices; 0 means 1,
	// at most MaxCPUDevices). Other plugins have the devices they find.
	Devices int
}

// MaxCPUDevices bounds Options.Devices.
const MaxCPUDevices = 1024

// virtualPerCPU is how many virtual devices the CPU plugin may have per CPU
// of the machine (MaxVirtualCPUDevices).
const virtualPerCPU = 8

// MaxVirtualCPUDevices is the most virtual devices the CPU plugin's client
// may have on this machine: 8 per CPU (at least 8, at most MaxCPUDevices).
// Each costs two threads and about 25 MiB of address space (measured: 522
// threads and 6.8 GB for 256), and past the CPUs they only take turns;
// 1024 of them ran out of threads inside XLA (pthread_create failed) under
// a memory limit.
func MaxVirtualCPUDevices() int {
	return min(MaxCPUDevices, max(virtualPerCPU, virtualPerCPU*runtime.NumCPU()))
}

// Backend is an opened backend with what brainc knows about it.
type Backend struct {
	backends.Backend
	// Kind is the class of backend opened.
	Kind Kind
	// Path is the plugin file (empty for Go).
	Path string
	// Tried lists every candidate considered, in order, with why it was not
	// used (the opened one has an empty Skip).
	Tried []Candidate
}

// CheckDevices says, when the backend has fewer than n devices, how many
// were asked for and how many it has (nil when it has enough).
func (b *Backend) CheckDevices(n int) error {
	if have := len(b.Devices()); n > have {
		return fmt.Errorf("%d asked for, the %s backend has %d", n, b.Label(), have)
	}
	return nil
}

// PJRTVersion returns the PJRT C API version of the plugin ("" for Go).
func (b *Backend) PJRTVersion() string {
	if b.Path == "" {
		return ""
	}
	p, err := xlapjrt.GetPlugin(b.Path)
	if err != nil {
		return ""
	}
	major, minor := p.Version()
	return fmt.Sprintf("%d.%d", major, minor)
}

// Devices describes each device of the backend.
func (b *Backend) Devices() []string {
	n := b.NumDevices()
	out := make([]string, n)
	for i := range n {
		out[i] = b.DeviceDescription(backends.DeviceNum(i))
	}
	return out
}

// Platform is "cuda" for CUDA plugins (named or given by path), "go" for the
// pure-Go backend and "cpu" otherwise: what performance heuristics key on.
func (b *Backend) Platform() string {
	switch {
	case b.Kind == CUDA || b.Kind == Path && isCUDAPath(b.Path):
		return string(CUDA)
	case b.Kind == Go:
		return string(Go)
	}
	return string(CPU)
}

// Label is a short name for summaries: "cpu", "cuda", "go" or the plugin path.
func (b *Backend) Label() string {
	if b.Kind == Path {
		return b.Path
	}
	return string(b.Kind)
}

// Open selects and loads a backend (see the package documentation for the
// order). An explicit choice that cannot be loaded is an error listing the
// paths searched and what to install; automatic selection falls through to
// the next candidate and, as a last resort, to the pure-Go backend with a
// warning.
func Open(opts Options) (*Backend, error) {
	env := DefaultEnv()
	if opts.Env != nil {
		env = *opts.Env
	}
	stderr := opts.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	spec, from := opts.Backend, opts.From
	if from == "" {
		from = "--backend"
	}
	if spec == "" {
		spec, from = env.Getenv(EnvBackend), "$"+EnvBackend
	}
	choice, err := ParseChoice(spec, from)
	if err != nil {
		return nil, err
	}
	if opts.Devices < 0 || opts.Devices > MaxCPUDevices {
		return nil, fmt.Errorf("pjrt: devices must be between 1 and %d, got %d", MaxCPUDevices, opts.Devices)
	}
	// brainc installs plugins itself (make setup): never let GoMLX reach for GitHub.
	xla.EnableAutoInstall(false)
	plan := Plan(choice, env)
	for i := range plan {
		c := &plan[i]
		if c.Skip != "" {
			continue
		}
		if c.Kind == CPU {
			if limit := MaxVirtualCPUDevices(); opts.Devices > limit {
				return nil, fmt.Errorf("pjrt: %d virtual CPU devices on %d CPUs: at most %d (%d per CPU): each one costs two threads and about 25 MiB of address space, and past the CPUs they only take turns",
					opts.Devices, runtime.NumCPU(), limit, virtualPerCPU)
			}
			addXLAFlags(opts.CPUFlags)
		}
		if c.Kind != Go && c.Kind != CUDA && !isCUDAPath(c.Path) {
			if err := restrictCPUs(opts.CPUThreads); err != nil {
				return nil, err
			}
		}
		b, err := load(*c, opts.Devices)
		if err != nil {
			c.Skip = "failed to load: " + err.Error()
			if c.Kind == CUDA && choice.Kind == "" {
				fmt.Fprintf(stderr, "brainc: warning: the CUDA plugin %s did not load (%v); trying the next backend\n", c.Path, err)
			}
			continue
		}
		if c.Kind == Go && choice.Kind == "" {
			fmt.Fprintln(stderr, "brainc: warning: no XLA PJRT plugin could be used; falling back to the pure-Go backend (10-100x slower).")
			fmt.Fprint(stderr, explain(plan[:i]))
			fmt.Fprintln(stderr, "brainc: run `make setup` to install the CPU plugin.")
		}
		b.Tried = plan
		return b, nil
	}
	return nil, fmt.Errorf("%s: backend %q cannot be used:\n%s", choice.From, spec, explain(plan))
}

// explain renders candidates and why each was not used.
func explain(cands []Candidate) string {
	var sb strings.Builder
	for _, c := range cands {
		fmt.Fprintf(&sb, "  %s: %s\n", c.Kind, c.Skip)
		for _, p := range c.Searched {
			fmt.Fprintf(&sb, "    searched %s\n", p)
		}
	}
	return sb.String()
}

// cpuClientOptions configure XLA's CPU client for brainc's pattern: one
// device (Options.Devices asks for more), and executions run
// synchronously on the calling thread. The default
// (one device per core, asynchronous dispatch onto a thread pool) costs a
// thread hand-off per chunk; measured on COBA 4k, 1 s, K=4, 2 cores: run time
// 1.31 s by default, 0.99 s with these options.
var cpuClientOptions = xlapjrt.NamedValuesMap{"asynchronous": false, "cpu_device_count": int64(1)}

// load opens one candidate; a CPU client gets devices devices (at least 1).
func load(c Candidate, devices int) (*Backend, error) {
	if c.Kind == Go {
		b, err := backends.NewWithConfig("go")
		if err != nil {
			return nil, err
		}
		return &Backend{Backend: b, Kind: Go}, nil
	}
	config := c.Path
	var opts xlapjrt.NamedValuesMap
	if c.Kind == CUDA || isCUDAPath(c.Path) {
		prepareCUDA(c.Path)
	} else {
		// Named "cpu", GoMLX shares host buffers with the CPU plugin; by path it
		// must be told.
		config += ",shared_buffers"
		opts = maps.Clone(cpuClientOptions)
		opts["cpu_device_count"] = int64(max(devices, 1))
	}
	b, err := xla.NewWithOptions(config, opts)
	if err != nil {
		return nil, err
	}
	return &Backend{Backend: b, Kind: c.Kind, Path: c.Path}, nil
}

// addXLAFlags appends flags to $XLA_FLAGS, each unless already there.
func addXLAFlags(flags []string) {
	cur := os.Getenv("XLA_FLAGS")
	for _, f := range flags {
		if !slices.Contains(strings.Fields(cur), f) {
			cur = strings.TrimSpace(cur + " " + f)
		}
	}
	if len(flags) > 0 {
		_ = os.Setenv("XLA_FLAGS", cur)
	}
}

func isCUDAPath(p string) bool { return strings.Contains(strings.ToLower(filepath.Base(p)), "cuda") }

// prepareCUDA works around go-xla v0.1.4, whose CUDA driver check sets
// XLA_FLAGS=--xla_gpu_cuda_data_dir to a hard-coded developer path whenever
// it finds an nvidia/ directory next to the plugin (as JAX's wheels have).
// brainc disables that check and, unless the user set the flag, points XLA
// at the CUDA toolkit the pip nvidia packages provide.
func prepareCUDA(plugin string) {
	_ = os.Setenv("GOPJRT_CUDA_CHECKS", "0")
	flags := os.Getenv("XLA_FLAGS")
	if strings.Contains(flags, "--xla_gpu_cuda_data_dir") {
		return
	}
	if dir := CUDADataDir(plugin); dir != "" {
		_ = os.Setenv("XLA_FLAGS", strings.TrimSpace(flags+" --xla_gpu_cuda_data_dir="+dir))
	}
}

// CUDADataDir returns the CUDA toolkit directory (the one holding
// nvvm/libdevice) installed by pip's nvidia-cuda-nvcc package next to a
// plugin in site-packages, or "" when there is none.
func CUDADataDir(plugin string) string {
	// site-packages/jax_plugins/xla_cudaNN/xla_cuda_plugin.so → site-packages
	site := filepath.Dir(filepath.Dir(filepath.Dir(plugin)))
	for _, d := range []string{filepath.Join(site, "nvidia", "cuda_nvcc"), filepath.Join(site, "nvidia")} {
		if st, err := os.Stat(filepath.Join(d, "nvvm", "libdevice")); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

// OneCPUUpTo is the network size (neurons) up to which AutoCPUThreads runs
// the CPU plugin on one CPU. Measured on a 2-core machine (brainc run, 1 s,
// one CPU against two): COBA 4k 0.49–0.54 s against 0.62–0.65 s, the
// decision network 0.60–0.80 s against 0.89–1.22 s, COBA 40k 5.2 s against
// 6.3 s: at these sizes a kernel's work is smaller than the cost of handing
// part of it to another thread.
const OneCPUUpTo = 100_000

// AutoCPUThreads is the CPUThreads a run of a network of the given number
// of neurons gets when the user sets none: 1 up to OneCPUUpTo neurons, else
// 0 (every CPU).
func AutoCPUThreads(neurons int) int {
	if neurons <= OneCPUUpTo {
		return 1
	}
	return 0
}
