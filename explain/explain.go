// Package explain writes what a lowered program is and does, in words:
// the lowering in brief (Describe), the whole plan of a run for --explain
// and `brainc compile` (Program), and how it splits across devices
// (Devices). It reads a lower.Program and changes nothing.
package explain

import (
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/plan"

	"fmt"
	"maps"
	"slices"
	"strings"
)

// Describe is the lowering in brief: populations, merged synaptic states
// with the projections that feed them, and each projection's kernel and
// bytes.
func Describe(p *lower.Program) string {
	var sb strings.Builder
	for _, pop := range p.Pops {
		if pop.Pad {
			fmt.Fprintf(&sb, "padding %s: neurons %d–%d of block %s, so that it splits evenly across devices (no input, projection or monitor)\n",
				pop.Name, pop.Offset, pop.Offset+pop.Size-1, pop.Block.Name)
			continue
		}
		fmt.Fprintf(&sb, "population %s: %d × %s (%s)", pop.Name, pop.Size, pop.Model, pop.Population.Integrator)
		if len(pop.Block.Pops) > 1 {
			fmt.Fprintf(&sb, ", neurons %d–%d of block %s", pop.Offset, pop.Offset+pop.Size-1, pop.Block.Name)
		}
		sb.WriteString("\n")
	}
	for _, b := range p.Blocks {
		if len(b.Pops) > 1 {
			fmt.Fprintf(&sb, "block %s: %d neurons packed (one state array per variable, one compaction, one fan-out table, %d synaptic states)",
				b.Name, b.Size, len(b.Groups))
			if len(b.Varying) > 0 {
				fmt.Fprintf(&sb, ", per-neuron %s", strings.Join(slices.Sorted(maps.Keys(b.Varying)), ", "))
			}
			sb.WriteString("\n")
		}
	}
	for _, ps := range p.PreStates {
		fmt.Fprintf(&sb, "presynaptic state %s: %s, one per neuron of %s\n", ps.Name, ps.Synapse.Key(), ps.Block.Name)
	}
	for _, g := range p.Groups {
		var feeds []string
		for _, part := range g.Parts {
			feeds = append(feeds, strings.Join(projNames(part.Projs), ", ")+" (onto "+part.Pop.Name+")")
		}
		if g.PreSide {
			fmt.Fprintf(&sb, "transmitted g %s → %s: sum of presynaptic states, %s, fed by %s\n", g.Name, g.Post.Name,
				g.Output.Key(), strings.Join(feeds, "; "))
			continue
		}
		fmt.Fprintf(&sb, "synaptic state %s → %s: %s, %s, fed by %s\n", g.Name+".g", g.Post.Name,
			g.Synapse.Key(), g.Output.Key(), strings.Join(feeds, "; "))
	}
	for _, pr := range p.Projs {
		switch pr.Kernel {
		case plan.KernelPoisson:
			in := pr.Poisson
			fmt.Fprintf(&sb, "projection %s: Poisson input, %d trains of %g Hz per neuron of %s, kernel %s (%s), %s\n",
				pr.Name, in.Num, in.Rate, pr.Post, pr.Kernel, pr.Why, plan.FormatBytes(p.ProjectionBytes(pr)))
			continue
		case plan.KernelAllToAll:
			fmt.Fprintf(&sb, "projection %s: %s→%s all to all (%d×%d, nothing stored), kernel %s (%s), %s\n",
				pr.Name, pr.Pre.Name, pr.Post, pr.Pre.Size, pr.Target.Size, pr.Kernel, pr.Why, plan.FormatBytes(p.ProjectionBytes(pr)))
			continue
		}
		if pr.Proc != nil {
			fmt.Fprintf(&sb, "projection %s: %s→%s ≈%.0f synapses (regenerated, %d slots per row), kernel %s (%s), %s\n",
				pr.Name, pr.Pre.Name, pr.Post, pr.Proc.Synapses(), pr.Proc.Width,
				pr.Kernel, pr.Why, plan.FormatBytes(p.ProjectionBytes(pr)))
			continue
		}
		fmt.Fprintf(&sb, "projection %s: %s→%s %d synapses (max fan-out %d), kernel %s (%s), %s\n",
			pr.Name, pr.Pre.Name, pr.Post, pr.Matrix.NumSynapses(), pr.Matrix.MaxRow(),
			pr.Kernel, pr.Why, plan.FormatBytes(p.ProjectionBytes(pr)))
	}
	return sb.String()
}

func projNames(prs []*lower.Projection) []string {
	names := make([]string, len(prs))
	for i, pr := range prs {
		names[i] = pr.Name
	}
	return names
}

// Explain is the full plan of a run of steps with the given event capacity,
// driven as engine says (e.g. "time loop in the executable"): everything
// Describe says, plus fan-out tables, delay buffers, device bytes held, the
// state carried from step to step, and the monitors with the size of what
// they return.
func Program(p *lower.Program, engine string, capacity, steps int) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "model %s: dt %g ms, %d steps (%g ms), seed %d, %s, %s, event capacity %d\n\n",
		p.Net.Name, p.Net.Dt, steps, float64(steps)*p.Net.Dt, p.Net.Seed, p.DType, engine, capacity)
	sb.WriteString("lowering:\n")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(Describe(p), "\n"), "\n") {
		sb.WriteString("  " + line)
	}
	sb.WriteString("\n\nevent-driven propagation:\n")
	found := false
	for _, b := range p.Blocks {
		if b.Fan == nil {
			continue
		}
		found = true
		f := b.Fan
		synapses := 0
		for _, pr := range b.Events {
			synapses += pr.Matrix.NumSynapses()
		}
		if b.Split != nil {
			fmt.Fprintf(&sb, "  %s: one CSR fan-out table, %d targets, %s, serves %s; one gather + one scatter per step and device\n",
				b.Name, synapses, describeSplit(b), strings.Join(projNames(b.Events), ", "))
			continue
		}
		tables := f.Tables()
		ptr, c := tables[0], tables[1]
		fmt.Fprintf(&sb, "  %s: one CSR fan-out table, %d targets (%d entries with the padding) + %d row pointers (%s, %.2f B per synapse), rows up to %d slots, serves %s; one gather + one scatter per step\n",
			b.Name, synapses, c.Shape[0], ptr.Shape[0], plan.FormatBytes(c.Bytes()+ptr.Bytes()),
			float64(c.Bytes()+ptr.Bytes())/float64(max(synapses, 1)), f.Width, strings.Join(projNames(b.Events), ", "))
	}
	for _, pr := range p.Projs {
		if o := pr.Own; o != nil {
			found = true
			why := "per-synapse delays"
			switch pl := pr.Plastic; {
			case pr.STP != nil:
				why = "rows scaled by short-term plasticity"
			case pl != nil && len(pl.SynVars) > 0:
				why = "plastic weights and " + synapseStateText(p, pl)
			case pl != nil:
				why = "plastic weights"
			}
			whole := ""
			switch {
			case pr.SplitOwn != nil:
				whole = fmt.Sprintf(", split by target across %d devices: each holds up to %d synapses, those onto its own neurons, rows up to %d",
					p.Devices, pr.SplitOwn.Synapses, pr.SplitOwn.Width)
			case p.Devices > 1:
				whole = ", whole on every device"
			}
			fmt.Fprintf(&sb, "  %s: its own CSR table (%s), %d synapses, rows up to %d, %s%s\n", pr.Name, why,
				pr.Matrix.NumSynapses(), o.Width, plan.FormatBytes(p.ProjectionBytes(pr)), whole)
		}
		if pr.Split {
			found = true
			fmt.Fprintf(&sb, "  %s: procedural rows, split by target across %d devices: each regenerates the rows of the neurons that fired and keeps the synapses onto its own %d neurons of %s\n",
				pr.Name, p.Devices, p.SplitShare(pr), pr.Target.Block.Name)
		}
	}
	if !found {
		sb.WriteString("  none (" + kernelCounts(p.Projs) + ")\n")
	}
	sb.WriteString("\ndelay lines:\n")
	found = false
	for _, pr := range p.Projs {
		d := pr.Delay
		if d == nil {
			continue
		}
		found = true
		what := fmt.Sprintf("every synapse %d steps (%g ms)", d.Steps, float64(d.Steps)*p.Net.Dt)
		if d.PerSynapse != nil {
			what = fmt.Sprintf("per synapse, up to %d steps (%g ms)", d.Steps, float64(d.Steps)*p.Net.Dt)
		}
		fmt.Fprintf(&sb, "  %s: %s; ring buffer of %d × %d future inputs (%s)\n", pr.Name, what, d.Len, pr.Target.Size,
			plan.FormatBytes(d.Buf.Bytes()))
	}
	if !found {
		sb.WriteString("  none (every projection delivers spikes on the next step)\n")
	}

	var constBytes, stateBytes int64
	for _, v := range p.Consts {
		constBytes += v.Bytes()
	}
	for _, v := range p.State {
		stateBytes += v.Bytes()
	}
	fmt.Fprintf(&sb, "\ndevice memory held:\n  connectivity and weights: %s in %d arrays\n", plan.FormatBytes(constBytes), len(p.Consts))
	fmt.Fprintf(&sb, "  state carried between steps: %s in %d arrays (", plan.FormatBytes(stateBytes), len(p.State))
	for i, v := range p.State {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(v.Name)
	}
	sb.WriteString(")\n")

	sb.WriteString("\nmonitors:\n")
	_, width := p.EventLayout(capacity)
	if width > 0 {
		var names []string
		for _, b := range p.CompactBlocks() {
			names = append(names, fmt.Sprintf("%s (%d slots)", b.Name, lower.Capacity(b, capacity)))
		}
		fmt.Fprintf(&sb, "  events: %d Int32 per step for %s; %s to the host over the run\n",
			width, strings.Join(names, ", "), plan.FormatBytes(int64(width)*4*int64(steps)))
	}
	bounds := map[string]plan.SpikeBound{}
	for _, b := range plan.SpikeBounds(p.Net, steps) {
		bounds[b.Pop] = b
	}
	for _, pop := range p.SpikeMonitors {
		b := bounds[pop.Name]
		bound := "at most"
		if b.Declared {
			bound = "about"
		}
		fmt.Fprintf(&sb, "  spikes of %s: times (8 B) and indices (4 B) per spike, held until written to spikes.npz: %s %.3g spikes (%s) over the run (%d neurons × %d steps, %s)\n",
			pop.Name, bound, b.Spikes, plan.FormatApprox(b.Spikes*plan.BytesPerSpike), b.Neurons, b.Steps, b.Basis)
	}
	for _, t := range p.Traces {
		fmt.Fprintf(&sb, "  trace %s.%s of %d %s: %s over the run\n", t.Pop, t.Var, len(t.Indices), traceUnit(p, t),
			plan.FormatBytes(int64(len(t.Indices))*int64(steps)*int64(p.DType.Size())))
	}
	if width == 0 && len(p.Traces) == 0 {
		sb.WriteString("  none\n")
	}
	explainMemory(p, &sb)
	return sb.String()
}

// explainMemory lists the run's memory estimate (EstimateMemory) and the
// spikes the recorder may hold (SpikeBudget).
func explainMemory(p *lower.Program, sb *strings.Builder) {
	budget := plan.Budget{MaxMemory: p.MaxMemory}
	total, items := plan.EstimateMemory(p.Net, budget)
	sb.WriteString("\nmemory estimated before the run:\n")
	for _, it := range items {
		note := ""
		if it.UpperBound {
			note = " (an upper bound, not counted)"
		}
		fmt.Fprintf(sb, "  %s: %s%s\n", it.What, plan.FormatApprox(it.Bytes), note)
	}
	limit := "no limit known"
	if l, ok := plan.MemoryLimit(budget.MaxMemory); ok {
		limit = "limit " + plan.FormatApprox(float64(l))
	}
	fmt.Fprintf(sb, "  counted: %s (%s)\n", plan.FormatApprox(total), limit)
	if spikes, ok := plan.SpikeBudget(p.Net, budget); ok && len(p.SpikeMonitors) > 0 {
		fmt.Fprintf(sb, "  the spike monitors stop the run with an error past %d spikes (%s, the memory left)\n",
			spikes, plan.FormatApprox(float64(spikes)*plan.BytesPerSpike))
	}
}

// kernelCounts says which kernels the projections use, when none is
// event-driven: "no projections", or e.g. "kernels: 28 all_to_all, 6 dense".
func kernelCounts(projs []*lower.Projection) string {
	if len(projs) == 0 {
		return "no projections"
	}
	counts := map[plan.Kernel]int{}
	for _, pr := range projs {
		counts[pr.Kernel]++
	}
	var parts []string
	for _, k := range []plan.Kernel{plan.KernelEvent, plan.KernelProcedural, plan.KernelAllToAll, plan.KernelPoisson, plan.KernelDense} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	return "no stored event table; kernels: " + strings.Join(parts, ", ")
}

// synapseStateText describes a rule's variables kept per synapse and the
// bytes they hold (with the steps of the last events).
func synapseStateText(p *lower.Program, pl *lower.Plastic) string {
	names := slices.Sorted(maps.Keys(pl.SynVars))
	var bytes int64
	for _, v := range pl.SynVars {
		bytes += v.Bytes()
	}
	if pl.LastUpdate != nil {
		bytes += pl.LastUpdate.Bytes()
		return fmt.Sprintf("the rule's variables per synapse (%s, and each synapse's last event: %s)", strings.Join(names, ", "), plan.FormatBytes(bytes))
	}
	return fmt.Sprintf("the rule's variables per synapse (%s: %s)", strings.Join(names, ", "), plan.FormatBytes(bytes))
}

// traceUnit is what a trace's indices count: synapses for a plastic
// projection's weights, neurons otherwise.
func traceUnit(p *lower.Program, t lower.Trace) string {
	for _, pr := range p.Projs {
		if pl := pr.Plastic; pl != nil && (t.State == pl.W || slices.Contains(slices.Collect(maps.Values(pl.SynVars)), t.State)) {
			return "synapses"
		}
	}
	return "neurons"
}

// DescribeShards is how the program splits across devices, for --explain:
// the arrays split by neuron, those whole on every device, and the bytes of
// state and constants on each device.
func Devices(p *lower.Program, devices int) string {
	state, consts, split, whole := p.DeviceBytes(max(devices, 1))
	if devices < 2 {
		return fmt.Sprintf("one device: state %s, constants %s", plan.FormatBytes(state), plan.FormatBytes(consts))
	}
	var pads []string
	for _, pop := range p.Pops {
		if pop.Pad {
			pads = append(pads, fmt.Sprintf("%s +%d", pop.Block.Name, pop.Size))
		}
	}
	s := fmt.Sprintf("%d devices: %d arrays split by neuron or target, %d whole on each (scalars, STDP and dense tables, what does not divide); per device: state %s, constants %s",
		devices, split, whole, plan.FormatBytes(state), plan.FormatBytes(consts))
	if len(pads) > 0 {
		s += "; padded: " + strings.Join(pads, ", ")
	}
	return s
}

// describeSplit is the --explain line of a split fan-out table.
func describeSplit(b *lower.Block) string {
	sp := b.Split
	var bytes int64
	for _, v := range b.Fan.Tables() {
		if len(v.Shape) > 0 {
			bytes += v.Bytes() / int64(sp.Devices)
		}
	}
	return fmt.Sprintf("split by target across %d devices: each holds up to %d synapses, those onto its own neurons (%s with their weights), rows up to %d slots, %d values out",
		sp.Devices, sp.Synapses, plan.FormatBytes(bytes), sp.Width, sp.Cols)
}
