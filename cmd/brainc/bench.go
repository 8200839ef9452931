package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/brainc/brainc/artifact"
	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/driver"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/models"
	"github.com/brainc/brainc/pjrt"
	"github.com/brainc/brainc/plan"
)

// scaleRun is one size of `brainc bench scale`.
type scaleRun struct {
	N          int               `json:"n"`
	Synapses   float64           `json:"synapses"`
	Kernels    map[string]string `json:"kernels"`
	DurationMS float64           `json:"duration_ms"`
	Steps      int               `json:"steps"`
	Engine     string            `json:"engine"`
	// EventOps names the loop engine's operators ("custom", "topk",
	// "scan"; jit.Ops.Name), empty for the chunk engine.
	EventOps      string             `json:"event_ops,omitempty"`
	K             int                `json:"k,omitempty"`
	BuildS        float64            `json:"build_s"`
	CompileS      float64            `json:"compile_s"`
	RunS          float64            `json:"run_s"`
	WallS         float64            `json:"wall_s"`
	StepsPerS     float64            `json:"steps_per_s"`
	USPerStep     float64            `json:"us_per_step"`
	SynEventsPerS float64            `json:"syn_events_per_s"`
	RatesHz       map[string]float64 `json:"rates_hz"`
	ConnBytes     int64              `json:"conn_bytes"`
	BytesPerSyn   float64            `json:"conn_bytes_per_synapse"`
	StateBytes    int64              `json:"state_bytes"`
	// Devices is how many devices the network was split across; the
	// per-device figures are what each holds (lower.Program.DeviceBytes).
	Devices          int    `json:"devices"`
	StateBytesDevice int64  `json:"state_bytes_per_device"`
	ConstBytesDevice int64  `json:"const_bytes_per_device"`
	PeakRSSBytes     int64  `json:"peak_rss_bytes"`
	Reruns           int    `json:"capacity_reruns"`
	Overflows        int    `json:"capacity_overflows"`
	MaxCapacity      int    `json:"max_capacity"`
	Error            string `json:"error,omitempty"`
	ConnectionRule   string `json:"connection_rule"`
}

// scaleReport is the JSON of `brainc bench scale`.
type scaleReport struct {
	Version string     `json:"version"`
	Backend string     `json:"backend"`
	Host    string     `json:"host"`
	CPUs    int        `json:"cpus"`
	Date    string     `json:"date"`
	Runs    []scaleRun `json:"runs"`
}

func cmdBench(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "scale" {
		return &usageError{`expected a benchmark name: "scale"`}
	}
	fs := newFlags("bench scale", "", stderr)
	sizes := fs.String("sizes", "4000,40000,400000", "comma-separated network sizes (neurons, 80% E / 20% I)")
	dur := fs.String("duration", "1 s", "simulated time per size")
	kernel := fs.String("kernel", "", "force every projection's kernel: event|dense|procedural (default: auto per projection)")
	backend := fs.String("backend", "", "cpu|cuda|go|/abs/path/plugin.so (default: $BRAINC_BACKEND, else automatic)")
	var sf simFlags
	fs.StringVar(&sf.engine, "engine", "", "loop|chunk (default: loop on XLA backends, chunk on go)")
	fs.BoolVar(&sf.logCalls, "log-calls", false, "print one line per loop-engine call to stderr")
	fs.BoolVar(&sf.composedOps, "composed-ops", false, "compact and propagate spikes with composed XLA ops instead of brainc's CPU custom calls")
	fs.IntVar(&sf.k, "k", 0, "steps per compiled chunk of --engine chunk (default: chosen from backend and run length)")
	out := fs.String("json", "", "write the report here as JSON")
	devs := fs.String("devices", "1", "comma-separated device counts to split each size across (the CPU plugin: virtual devices sharing the CPUs)")
	_, err := parseFlags(fs, args[1:], 0)
	if err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 {
			return &usageError{fmt.Sprintf("--sizes: expected comma-separated sizes ≥ 10, got %q", s)}
		}
		ns = append(ns, n)
	}
	var counts []int
	for _, s := range strings.Split(*devs, ",") {
		d, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || d < 1 || d > ir.MaxDevices {
			return &usageError{fmt.Sprintf("--devices: expected comma-separated device counts between 1 and %d, got %q", ir.MaxDevices, s)}
		}
		counts = append(counts, d)
	}
	duration, err := ir.ParseQuantity(*dur, ir.Time)
	if err != nil || duration <= 0 {
		return &usageError{fmt.Sprintf("--duration: expected a positive time, got %q", *dur)}
	}
	if err := sf.checkEngine(); err != nil {
		return err
	}
	switch plan.Kernel(*kernel) {
	case "", plan.KernelEvent, plan.KernelDense, plan.KernelProcedural:
	default:
		return &usageError{fmt.Sprintf("--kernel: expected %q, %q or %q, got %q", plan.KernelEvent, plan.KernelDense, plan.KernelProcedural, *kernel)}
	}
	if slices.Max(counts) > 1 && sf.engine == string(jit.EngineChunk) {
		return &usageError{"--devices: runs split across devices need the loop engine, not --engine chunk"}
	}
	host, _ := os.Hostname()
	rep := scaleReport{Host: host, Version: artifact.Version, CPUs: runtime.NumCPU(), Date: time.Now().UTC().Format(time.RFC3339)}
	header := false
	for _, d := range counts {
		// Each device count opens a client of its own (the CPU plugin's
		// virtual devices are fixed when its client is created).
		b, err := pjrt.Open(pjrt.Options{Backend: *backend, Stderr: stderr, Devices: d})
		if err != nil {
			return err
		}
		if err := b.CheckDevices(d); err != nil {
			b.Finalize()
			return &usageError{"--devices: " + err.Error()}
		}
		rep.Backend = b.Label()
		if !header {
			fmt.Fprintf(stdout, "COBA, in-degree 80 (fixed_prob 80/N), %g ms per size, on %s\n", duration, b.Label())
			fmt.Fprintf(stdout, "%9s %3s %10s %-22s %8s %8s %8s %10s %12s %8s %9s %12s %9s\n", "neurons", "dev", "synapses", "kernels",
				"compile", "run", "wall", "steps/s", "syn ev/s", "E Hz", "conn B/syn", "MiB/device", "peak RSS")
			header = true
		}
		sf.devices = d
		for _, n := range ns {
			r := scaleOne(b, n, duration, plan.Kernel(*kernel), &sf)
			rep.Runs = append(rep.Runs, r)
			if r.Error != "" {
				fmt.Fprintf(stdout, "%9d %3d stopped: %s\n", n, d, r.Error)
				break
			}
			fmt.Fprintf(stdout, "%9d %3d %10.3g %-22s %7.1fs %7.1fs %7.1fs %10.0f %12.3g %8.2f %9.2f %12.1f %8.2fG\n", n, d, r.Synapses,
				kernelSummary(r.Kernels), r.CompileS, r.RunS, r.WallS, r.StepsPerS, r.SynEventsPerS, r.RatesHz["E"],
				r.BytesPerSyn, float64(r.StateBytesDevice+r.ConstBytesDevice)/(1<<20), float64(r.PeakRSSBytes)/(1<<30))
		}
		b.Finalize()
	}
	if *out != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return atomicfile.Write(*out, func(w io.Writer) error { _, err := w.Write(append(data, '\n')); return err })
	}
	return nil
}

// scaleNetwork is the built-in COBA at n neurons with every projection
// fixed_prob 80/N: 64 E and 16 I inputs per neuron on average.
func scaleNetwork(n int, duration float64) (*ir.Network, error) {
	net, err := models.Load("coba")
	if err != nil {
		return nil, err
	}
	ne := n * 4 / 5
	net.Population("E").Size = ne
	net.Population("I").Size = n - ne
	for _, pr := range net.Projections {
		pr.Conn = ir.Conn{Rule: ir.ConnFixedProb, Prob: 80 / float64(n)}
	}
	net.Duration = duration
	net.Monitors.Traces = nil
	net.Name = fmt.Sprintf("coba-%d", n)
	return net, net.Validate()
}

func scaleOne(b *pjrt.Backend, n int, duration float64, kernel plan.Kernel, sf *simFlags) (r scaleRun) {
	r = scaleRun{N: n, DurationMS: duration, Kernels: map[string]string{}, RatesHz: map[string]float64{},
		ConnectionRule: fmt.Sprintf("fixed_prob %.3g", 80/float64(n))}
	start := time.Now()
	net, err := scaleNetwork(n, duration)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	prog, err := lower.Build(net, lower.OptionsFor(net, lower.Choices{Kernel: kernel, Devices: sf.devices}))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Devices = max(sf.devices, 1)
	r.StateBytesDevice, r.ConstBytesDevice, _, _ = prog.DeviceBytes(r.Devices)
	r.BuildS = time.Since(start).Seconds()
	fanout := map[string]float64{} // mean synapses per presynaptic neuron, by population
	stored := 0.0                  // synapses held in stored tables
	for _, pr := range prog.Projs {
		r.Kernels[pr.Name] = string(pr.Kernel)
		if pr.Proc == nil && pr.Matrix == nil { // all-to-all or Poisson input: nothing stored
			continue
		}
		syn := 0.0
		if pr.Proc != nil {
			syn = pr.Proc.Synapses()
		} else {
			syn = float64(pr.Matrix.NumSynapses())
			r.ConnBytes += prog.ProjectionBytes(pr)
		}
		r.Synapses += syn
		fanout[pr.Pre.Name] += syn / float64(pr.Pre.Size)
		if pr.Proc == nil {
			stored += syn
		}
	}
	if stored > 0 {
		r.BytesPerSyn = float64(r.ConnBytes) / stored
	}
	for _, v := range prog.State {
		r.StateBytes += v.Bytes()
	}
	r.Steps = int(duration/net.Dt + 0.5)
	opts, _ := sf.runOptions(b.Platform(), r.Steps)
	r.Engine, r.K = string(opts.Engine), opts.K
	rec, st, err := driver.Simulate(b, prog, r.Steps, driver.Options{Jit: opts})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.WallS = time.Since(start).Seconds()
	r.CompileS, r.RunS = st.CompileTime.Seconds(), st.RunTime.Seconds()
	r.StepsPerS = float64(r.Steps) / r.RunS
	r.USPerStep = 1e6 * r.RunS / float64(r.Steps)
	r.Reruns, r.Overflows, r.MaxCapacity = st.Reruns, st.Overflows, st.MaxCapacity
	if opts.Engine == jit.EngineLoop {
		r.EventOps = st.Ops.Name()
	}
	events := 0.0
	for _, s := range rec.Spikes {
		r.RatesHz[s.Pop] = s.Stats(duration).RateHz
		events += float64(len(s.Times)) * fanout[s.Pop]
	}
	r.SynEventsPerS = events / r.RunS
	r.PeakRSSBytes = peakRSS()
	return r
}

func kernelSummary(k map[string]string) string {
	counts := map[string]int{}
	for _, v := range k {
		counts[v]++
	}
	var parts []string
	for _, name := range []string{"procedural", "event", "dense"} {
		if counts[name] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[name], name))
		}
	}
	return strings.Join(parts, ", ")
}

// peakRSS is the process's peak resident memory (VmHWM), 0 where unknown.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
