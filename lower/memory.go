package lower

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

// MemoryItem is one part of a run's estimated memory.
type MemoryItem struct {
	// What names the part (a projection, "neuron state", a trace).
	What string
	// Bytes is its estimated size.
	Bytes float64
}

// EstimateMemory estimates the host and device memory a run of the network
// needs (connectivity as built and stored, state, recorded traces), before
// anything is built, biggest items first. Connectivity the kernel regenerates
// (procedural) or does not store (all_to_all, Poisson) counts nothing.
func EstimateMemory(net *ir.Network, opts Options) (total float64, items []MemoryItem) {
	sizes := map[string]float64{}
	neurons := 0.0
	for _, p := range net.Populations {
		sizes[p.Name] = float64(p.Size)
		neurons += float64(p.Size)
	}
	items = append(items, MemoryItem{"neuron state", neurons * bytesPerNeuronState})
	for _, pr := range net.Projections {
		if pr.Poisson != nil {
			continue
		}
		nPre, nPost := sizes[pr.Pre], sizes[pr.Post]
		if _, _, ok := chooseProcedural(Kernel(pr.Kernel), opts.Kernel, pr, int(nPre), int(nPost)); ok &&
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
			if !pr.Plastic() && opts.Kernel == "" && (pr.Kernel == "" || pr.Kernel == "auto") {
				continue // the all_to_all kernel stores nothing
			}
			syn = nPre * nPost
		case ir.ConnGaussian:
			syn = nPre * nPost * pr.Conn.PMax // at most
		default: // a file: its size bounds it, checked when read
			continue
		}
		per := float64(bytesPerStoredSynapse)
		if pr.Kernel == string(KernelDense) || opts.Kernel == KernelDense || pr.Plastic() {
			per = bytesPerDenseSynapse
		}
		items = append(items, MemoryItem{fmt.Sprintf("projection %s (%.3g synapses)", pr.Name, syn), syn * per})
	}
	steps := math.Round(net.Duration / net.Dt)
	for _, t := range net.Monitors.Traces {
		items = append(items, MemoryItem{fmt.Sprintf("trace %s.%s (%d × %.0f steps)", t.Pop, t.Var, len(t.Indices), steps),
			float64(len(t.Indices)) * steps * 8})
	}
	sort.SliceStable(items, func(a, b int) bool { return items[a].Bytes > items[b].Bytes })
	for _, it := range items {
		total += it.Bytes
	}
	return total, items
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

// MemoryLimit is the memory (bytes) a network's estimate may take under
// opts: Options.MaxMemory when set, else the memory the machine has
// available (false: unknown, no limit).
func MemoryLimit(opts Options) (int64, bool) {
	if opts.MaxMemory > 0 {
		return opts.MaxMemory, true
	}
	return availableMemory()
}

// checkMemory refuses a network whose estimated memory exceeds limit bytes
// (0: the memory the machine has available), naming the biggest items.
func checkMemory(net *ir.Network, opts Options) error {
	limit := opts.MaxMemory
	from := "the limit you set"
	if limit == 0 {
		avail, ok := availableMemory()
		if !ok {
			return nil
		}
		limit, from = avail, "the memory available on this machine"
	}
	total, items := EstimateMemory(net, opts)
	if total <= float64(limit) {
		return nil
	}
	var big []string
	for _, it := range items[:min(3, len(items))] {
		big = append(big, fmt.Sprintf("%s ≈ %s", it.What, approxBytes(it.Bytes)))
	}
	return fmt.Errorf("the run needs about %s, more than %s (%s): %s; use fewer neurons or synapses, "+
		"kernel: procedural for large fixed_prob projections, or fewer traced neurons",
		approxBytes(total), from, approxBytes(float64(limit)), strings.Join(big, ", "))
}

// approxBytes formats a byte count that may exceed int64.
func approxBytes(b float64) string {
	if b < 1<<60 {
		return humanBytes(int64(b))
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
