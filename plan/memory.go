package plan

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/brainc/brainc/ir"
)

// Bytes per stored synapse while a network is built and run: the host's
// matrix and its sort (indices, row pointers, the builder's scratch), the
// fan-out table, and its copy on the device. Dense projections also keep
// their synapse list (pre and post) on both sides.
const (
	bytesPerStoredSynapse = 24
	bytesPerDenseSynapse  = 40
	bytesPerNeuronState   = 64 // state variables, spike flags, synaptic states, parameters
)

// BytesPerSpike is the host memory a recorded spike takes until the run's
// outputs are written: its time (8 B) and index (4 B), doubled for the
// spare capacity of the growing arrays that hold them.
const BytesPerSpike = 24

// Budget is what a run's memory estimate depends on besides its network.
type Budget struct {
	// Kernel, when set, is forced on every projection (it decides what
	// is stored).
	Kernel Kernel
	// MaxMemory, when > 0, is the most memory (bytes) the estimate may
	// reach; 0 means the memory available on the machine.
	MaxMemory int64
}

// MemoryItem is one part of a run's estimated memory.
type MemoryItem struct {
	// What names the part (a projection, "neuron state", a trace).
	What string
	// Bytes is its estimated size.
	Bytes float64
	// UpperBound marks a part whose size is an upper bound a run usually
	// falls far short of (the spikes of a model at its highest possible
	// rate): it is listed, not counted in the total that refuses a run,
	// and the recorder stops the run if it outgrows the memory left.
	UpperBound bool
}

// SpikeBound bounds the spikes one spike monitor records in a run.
type SpikeBound struct {
	// Pop is the population; Neurons the neurons recorded and Steps the
	// steps of the run within the recording window.
	Pop            string
	Neurons, Steps int
	// RateHz bounds each recorded neuron's rate, as Basis says; Spikes is
	// the bound on the spikes recorded.
	RateHz, Spikes float64
	Basis          string
	// Declared is set when the rate is the population's own (a Poisson
	// source's rate: its mean count plus six standard deviations; given
	// spike times: their number), so that a run records about that much;
	// otherwise it is the model's highest possible rate (one spike per
	// refractory period, or per step), an upper bound runs fall far
	// short of.
	Declared bool
}

// SpikeBounds bounds, for every spike monitor, the spikes a run of steps
// steps records.
func SpikeBounds(net *ir.Network, steps int) []SpikeBound {
	w := windowSteps(net, steps)
	var out []SpikeBound
	for _, name := range net.Monitors.Spikes {
		p := net.Population(name)
		if p == nil {
			continue
		}
		b := SpikeBound{Pop: name, Neurons: p.Size, Steps: w}
		if idx, ok := net.Monitors.SpikeNeurons[name]; ok {
			b.Neurons = len(idx)
		}
		perStep := 1000 / net.Dt // Hz: one spike per step
		switch {
		case p.Model == "Poisson":
			b.RateHz, b.Declared = min(p.Params["rate"], perStep), true
			mean := float64(b.Neurons) * float64(w) * b.RateHz * net.Dt / 1000
			b.Spikes = math.Min(mean+6*math.Sqrt(mean)+1, float64(b.Neurons)*float64(w))
			b.Basis = fmt.Sprintf("its rate, %g Hz, plus six standard deviations of the count", b.RateHz)
		case p.Model == "SpikeTimes" && p.Spikes != nil:
			b.Spikes, b.Declared = float64(len(p.Spikes.Times)), true
			b.RateHz = b.Spikes / math.Max(float64(b.Neurons)*float64(w)*net.Dt/1000, 1e-300)
			b.Basis = fmt.Sprintf("the %d spike times given", len(p.Spikes.Times))
		default:
			ref := p.Params["tau_ref"]
			if _, varies := p.Vary["tau_ref"]; varies || p.Equations != nil {
				ref = 0
			}
			b.RateHz, b.Basis = perStep, fmt.Sprintf("at most one spike per step of %g ms", net.Dt)
			if ref > net.Dt {
				b.RateHz, b.Basis = 1000/ref, fmt.Sprintf("at most one spike per refractory period (tau_ref %g ms)", ref)
			}
			b.Spikes = float64(b.Neurons) * float64(w) * b.RateHz * net.Dt / 1000
		}
		out = append(out, b)
	}
	return out
}

// windowSteps is the number of the first steps steps within the monitors'
// recording window.
func windowSteps(net *ir.Network, steps int) int {
	m := net.Monitors
	from := int(math.Ceil(m.Start/net.Dt - 1e-9))
	to := steps
	if m.Stop > 0 {
		to = min(to, int(math.Min(math.Ceil(m.Stop/net.Dt-1e-9), float64(steps))))
	}
	return max(0, to-max(from, 0))
}

// EstimateMemory estimates the host and device memory a run of the network
// needs (connectivity as built and stored, state, recorded traces and
// spikes; see SpikeBounds and MemoryItem.UpperBound), before
// anything is built, biggest items first. Connectivity the kernel regenerates
// (procedural) or does not store (all_to_all, Poisson) counts nothing.
func EstimateMemory(net *ir.Network, b Budget) (total float64, items []MemoryItem) {
	sizes := map[string]float64{}
	neurons := 0.0
	for _, p := range net.Populations {
		sizes[p.Name] = float64(p.Size)
		neurons += float64(p.Size)
	}
	items = append(items, MemoryItem{What: "neuron state", Bytes: neurons * bytesPerNeuronState})
	for _, pr := range net.Projections {
		if pr.Poisson != nil {
			continue
		}
		nPre, nPost := sizes[pr.Pre], sizes[pr.Post]
		if _, _, ok := ChooseProcedural(Kernel(pr.Kernel), b.Kernel, pr, int(nPre), int(nPost)); ok &&
			pr.STP == nil && !pr.Plastic() {
			continue
		}
		var syn float64
		switch pr.Conn.Rule {
		case ir.ConnFixedProb:
			syn = nPre * nPost * pr.Conn.Prob
		case ir.ConnFixedInDegree:
			syn = nPost * float64(pr.Conn.Num)
		case ir.ConnFixedOutDegree:
			syn = nPre * float64(pr.Conn.Num)
		case ir.ConnOneToOne:
			syn = nPre
		case ir.ConnAllToAll:
			if !pr.Plastic() && b.Kernel == "" && (pr.Kernel == "" || pr.Kernel == "auto") {
				continue // the all_to_all kernel stores nothing
			}
			syn = nPre * nPost
		case ir.ConnGaussian:
			syn = nPre * nPost * pr.Conn.PMax // at most
		default: // a file: its size bounds it, checked when read
			continue
		}
		per := float64(bytesPerStoredSynapse)
		if pr.Kernel == string(KernelDense) || b.Kernel == KernelDense || pr.Plastic() {
			per = bytesPerDenseSynapse
		}
		what := fmt.Sprintf("projection %s (%.3g synapses)", pr.Name, syn)
		if r := pr.Plasticity; r != nil && len(r.SynapticNames()) > 0 { // its variables kept per synapse
			per += 8 * float64(len(r.SynapticNames()))
			if len(r.EventDrivenVars()) > 0 {
				per += 4 // the step of the last event
			}
			what = fmt.Sprintf("projection %s (%.3g synapses, each with %s)", pr.Name, syn, strings.Join(r.SynapticNames(), ", "))
		}
		items = append(items, MemoryItem{What: what, Bytes: syn * per})
	}
	steps := math.Round(net.Duration / net.Dt)
	for _, t := range net.Monitors.Traces {
		items = append(items, MemoryItem{What: fmt.Sprintf("trace %s.%s (%d × %.0f steps)", t.Pop, t.Var, len(t.Indices), steps),
			Bytes: float64(len(t.Indices)) * steps * 8})
	}
	for _, b := range SpikeBounds(net, int(min(steps, ir.MaxSteps))) {
		what := fmt.Sprintf("spikes of %s (%d neurons × %d steps, %s)", b.Pop, b.Neurons, b.Steps, b.Basis)
		items = append(items, MemoryItem{What: what, Bytes: b.Spikes * BytesPerSpike, UpperBound: !b.Declared})
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].Bytes > items[b].Bytes })
	for _, it := range items {
		if !it.UpperBound {
			total += it.Bytes
		}
	}
	return total, items
}

// SpikeBudget is how many spikes a run's spike monitors may record in all
// on this machine: the memory limit (Budget.MaxMemory, else the memory
// available now) less the rest of the run's estimate, over BytesPerSpike;
// false when the limit is unknown. Spike monitors whose rate is declared
// are in the rest already and added back, so the budget holds them.
func SpikeBudget(net *ir.Network, b Budget) (int64, bool) {
	limit, ok := MemoryLimit(b.MaxMemory)
	if !ok {
		return 0, false
	}
	total, items := EstimateMemory(net, b)
	for _, it := range items {
		if strings.HasPrefix(it.What, "spikes of ") && !it.UpperBound {
			total -= it.Bytes
		}
	}
	return max(int64((float64(limit)-total)/BytesPerSpike), 0), true
}

// CheckDeviceCount refuses a split across more devices than the network's
// largest population has neurons: a split gives every device an equal
// share of each population (padded up to a multiple of the devices), so
// past that size devices hold nothing but padding, and each one still
// costs its threads and buffers (the CPU plugin's 1024 virtual devices on
// 100 neurons ran out of threads inside XLA).
func CheckDeviceCount(net *ir.Network, devices int) error {
	if devices <= 1 {
		return nil
	}
	largest, name := 0, ""
	for _, p := range net.Populations {
		if p != nil && p.Size > largest {
			largest, name = p.Size, p.Name
		}
	}
	if devices > largest {
		return fmt.Errorf("%d devices for a network whose largest population (%s) has %d neurons: each device holds a share of every population, so at most %d devices hold any neuron",
			devices, name, largest, max(largest, 1))
	}
	return nil
}

// MemoryLimit is the memory (bytes) a network's estimate may take:
// maxMemory when > 0, else the memory the machine has available (false:
// unknown, no limit).
func MemoryLimit(maxMemory int64) (int64, bool) {
	if maxMemory > 0 {
		return maxMemory, true
	}
	return availableMemory()
}

// CheckMemory refuses a network whose estimated memory exceeds the
// budget's limit (0: the memory the machine has available), naming the
// biggest items.
func CheckMemory(net *ir.Network, b Budget) error {
	limit := b.MaxMemory
	from := "the limit you set"
	if limit == 0 {
		avail, ok := availableMemory()
		if !ok {
			return nil
		}
		limit, from = avail, "the memory available on this machine"
	}
	total, items := EstimateMemory(net, b)
	if total <= float64(limit) {
		return nil
	}
	var big []string
	for _, it := range items {
		if !it.UpperBound && len(big) < 3 {
			big = append(big, fmt.Sprintf("%s ≈ %s", it.What, FormatApprox(it.Bytes)))
		}
	}
	return fmt.Errorf("the run needs about %s, more than %s (%s): %s; use fewer neurons or synapses, "+
		"kernel: procedural for large fixed_prob projections, or fewer traced neurons or spike-monitored neurons (monitors: spikes, window)",
		FormatApprox(total), from, FormatApprox(float64(limit)), strings.Join(big, ", "))
}

// FormatBytes writes a byte count in binary units ("512 B", "3.2 MiB").
func FormatBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	exp := int(math.Log(float64(n)) / math.Log(1024))
	return fmt.Sprintf("%.1f %ciB", float64(n)/math.Pow(1024, float64(exp)), "KMGTPE"[exp-1])
}

// FormatApprox writes a byte count that may exceed int64 ("1.5 GiB").
func FormatApprox(b float64) string {
	if b < 1<<60 {
		return FormatBytes(int64(b))
	}
	return fmt.Sprintf("%.3g B", b)
}

// availableMemory reads MemAvailable from /proc/meminfo (Linux).
func availableMemory() (int64, bool) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
