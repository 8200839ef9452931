package sweep

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/plan"
	"github.com/brainc/brainc/results"
)

// Batch is several instances of a grid as one network: a copy of every
// population and projection per instance, named Name__k for the batch's
// k-th instance, each drawing the random values its original draws alone
// with the instance's seed (ir.Network.Replicas). Lowered, equal copies
// pack into the same blocks, synaptic groups and fan-out tables, so the
// batch runs as one program whose every step advances all instances.
type Batch struct {
	// Net is the network of copies (the instance's own network when the
	// batch holds one instance).
	Net *ir.Network
	// Insts are the batch's instances, in order.
	Insts []Instance
	// origin maps, per instance, a copy's name to its original's.
	origin []map[string]string
}

// MaxBatch bounds the instances of one batch.
const MaxBatch = 4096

// NewBatch builds the batch of insts (1 to MaxBatch of them) of net over
// g. A batch of one instance is Apply's network, unrenamed.
func NewBatch(net *ir.Network, g Grid, insts []Instance) (*Batch, error) {
	if len(insts) == 0 || len(insts) > MaxBatch {
		return nil, fmt.Errorf("sweep: a batch holds 1 to %d instances, got %d", MaxBatch, len(insts))
	}
	b := &Batch{Insts: insts, origin: make([]map[string]string, len(insts))}
	if len(insts) == 1 {
		b.Net = Apply(net, g, insts[0])
		b.origin[0] = map[string]string{}
		for _, p := range b.Net.Populations {
			b.origin[0][p.Name] = p.Name
		}
		for _, pr := range b.Net.Projections {
			b.origin[0][pr.Name] = pr.Name
		}
		return b, nil
	}
	taken := map[string]bool{}
	for _, p := range net.Populations {
		taken[p.Name] = true
	}
	for _, pr := range net.Projections {
		taken[pr.Name] = true
	}
	out := *net
	out.Populations, out.Projections, out.Replicas = nil, nil, map[string]ir.Replica{}
	m := net.Monitors
	out.Monitors = ir.Monitors{Every: m.Every, Start: m.Start, Stop: m.Stop, TraceStart: m.TraceStart, TraceStop: m.TraceStop,
		SpikeNeurons: map[string][]int{}, Rates: map[string]float64{}}
	for k, inst := range insts {
		in := Apply(net, g, inst)
		names := map[string]string{}
		rename := func(name string) (string, error) {
			c := copyName(name, k)
			if taken[c] {
				return "", fmt.Errorf("sweep: %q names a population or projection and the copy of %q in a batch; rename it, or run one instance per batch (--batch 1)", c, name)
			}
			names[name] = c
			b.origin[k][c] = name
			out.Replicas[c] = ir.Replica{Of: name, Seed: inst.Seed}
			return c, nil
		}
		b.origin[k] = map[string]string{}
		var err error
		for _, p := range in.Populations {
			if p.Name, err = rename(p.Name); err != nil {
				return nil, err
			}
			out.Populations = append(out.Populations, p)
		}
		for _, pr := range in.Projections {
			if pr.Name, err = rename(pr.Name); err != nil {
				return nil, err
			}
			pr.Post = names[pr.Post]
			if pr.Pre != "" {
				pr.Pre = names[pr.Pre]
			}
			out.Projections = append(out.Projections, pr)
		}
		for _, s := range m.Spikes {
			out.Monitors.Spikes = append(out.Monitors.Spikes, names[s])
		}
		for s, idx := range m.SpikeNeurons {
			out.Monitors.SpikeNeurons[names[s]] = idx
		}
		for s, bin := range m.Rates {
			out.Monitors.Rates[names[s]] = bin
		}
		for _, tr := range m.Traces {
			tr.Pop = names[tr.Pop]
			out.Monitors.Traces = append(out.Monitors.Traces, tr)
		}
	}
	b.Net = &out
	return b, nil
}

// copyName is the name of name's copy for a batch's k-th instance.
func copyName(name string, k int) string { return name + "__" + strconv.Itoa(k) }

// Split gives each instance's part of a batch's recording, under the
// original names (it shares the recording's arrays).
func (b *Batch) Split(rec *results.Recorder) []*results.Recorder {
	out := make([]*results.Recorder, len(b.Insts))
	for k := range b.Insts {
		out[k] = rec.Select(func(name string) (string, bool) {
			orig, ok := b.origin[k][name]
			return orig, ok
		})
	}
	return out
}

// Instance is the index in the batch of the instance a copy's name
// belongs to and the original's name (false: not a copy of this batch).
func (b *Batch) Instance(name string) (k int, orig string, ok bool) {
	for k, names := range b.origin {
		if orig, ok := names[name]; ok {
			return k, orig, true
		}
	}
	return 0, "", false
}

// copyRE matches the names of copies in messages.
var copyRE = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*__[0-9]+\b`)

// explain rewrites the names of the batch's copies in err's message as
// their original's with the instance ("E__3" becomes "E (instance 17)");
// the error still unwraps to err.
func (b *Batch) explain(err error) error {
	if err == nil || len(b.Insts) == 1 {
		return err
	}
	msg := copyRE.ReplaceAllStringFunc(err.Error(), func(name string) string {
		if k, orig, ok := b.Instance(name); ok {
			return fmt.Sprintf("%s (instance %d)", orig, b.Insts[k].Index)
		}
		return name
	})
	return &batchError{msg, err}
}

// batchError is an error of a batch with its message rewritten.
type batchError struct {
	msg string
	err error
}

func (e *batchError) Error() string { return e.msg }
func (e *batchError) Unwrap() error { return e.err }

// BatchSize is how many instances of a grid over net run as one batch:
// as many as keep the batch's estimated memory (plan.EstimateMemory)
// within DefaultBatchBytes and half of what plan.MemoryLimit gives, at
// most MaxBatch and at least one, then evened out so that the batches
// differ in size by at most one instance.
func BatchSize(net *ir.Network, instances int, opts lower.Options) int {
	per, _ := plan.EstimateMemory(net, opts.Budget())
	per = max(per, 1)
	n := min(instances, MaxBatch, max(1, int(DefaultBatchBytes/per)))
	if limit, ok := plan.MemoryLimit(opts.MaxMemory); ok {
		n = min(n, max(1, int(float64(limit)/2/per)))
	}
	n = max(1, n)
	batches := (instances + n - 1) / n
	return max(1, (instances+batches-1)/batches)
}

// DefaultBatchBytes bounds a batch's estimated memory: beyond a few tens
// of MiB the fan-out tables leave the caches and a batch's step costs more
// per instance (COBA 1k, 100 instances: 0.46 s of run per 10 instances in
// batches of 10 or 20, 0.59 s in batches of 50, 0.76 s in one batch of 100).
const DefaultBatchBytes = 48 << 20
