package dynamics

import (
	"fmt"
	"math"
	"sort"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // graph DSL

	"github.com/brainc/brainc/ops"
)

// SpikeTimes is a population of spike sources that fire at given times:
// neuron Indices[k] fires in step round(Times[k]/dt). The spikes are laid
// out on the host as a table of rows per step (CSR), and each step gathers
// its row, so the cost per step is the most spikes any step has. It has no
// membrane potential and takes no input. States: last_spike.
type SpikeTimes struct {
	// Times (ms) and Indices (neurons) of the spikes, in any order.
	Times   []float64
	Indices []int
	// Until, when > 0, is the run's length in steps: spikes at later steps
	// are never emitted and take no room in the table.
	Until int
}

// States lists last_spike.
func (n *SpikeTimes) States(dtypes.DType) []StateVar {
	return []StateVar{{"last_spike", dtypes.Int32}}
}

// Potential is "": the population takes no input.
func (n *SpikeTimes) Potential() string { return "" }

// Table returns the spikes as CSR rows by step: row s lists the neurons
// firing in step s (sorted, each once); indptr has rows+2 entries (the last
// two rows empty, for steps past the end) and indices a trailing pad entry
// size. width is the longest row (at least 1).
func (n *SpikeTimes) Table(dt float64, size int) (indptr, indices []int32, width int, err error) {
	type ev struct{ step, neuron int }
	evs := make([]ev, 0, len(n.Times))
	rows := 0
	until := math.MaxInt32 / 2
	if n.Until > 0 {
		until = min(until, n.Until)
	}
	for k, t := range n.Times {
		if n.Indices[k] < 0 || n.Indices[k] >= size {
			return nil, nil, 0, fmt.Errorf("spike %d: neuron %d outside [0, %d)", k, n.Indices[k], size)
		}
		sf := math.Round(t / dt) // compared as a float: a huge time must not wrap in the cast
		if !(sf >= 0) {
			return nil, nil, 0, fmt.Errorf("spike %d: time %g ms is not a time ≥ 0", k, t)
		}
		if sf >= float64(until) { // never emitted in this run
			continue
		}
		s := int(sf)
		evs = append(evs, ev{s, n.Indices[k]})
		rows = max(rows, s+1)
	}
	sort.Slice(evs, func(a, b int) bool {
		if evs[a].step != evs[b].step {
			return evs[a].step < evs[b].step
		}
		return evs[a].neuron < evs[b].neuron
	})
	indptr = make([]int32, rows+2)
	width = 1
	for k, e := range evs {
		if k > 0 && evs[k-1] == e { // the same neuron twice in one step fires once
			continue
		}
		indices = append(indices, int32(e.neuron))
		indptr[e.step+1] = int32(len(indices))
	}
	for s := 1; s < len(indptr); s++ {
		indptr[s] = max(indptr[s], indptr[s-1])
		width = max(width, int(indptr[s]-indptr[s-1]))
	}
	return indptr, append(indices, int32(size)), width, nil
}

// Update emits the spikes of this step. It panics if the table is invalid;
// lowering checks it first with Table.
func (n *SpikeTimes) Update(s Vars, _ Current, step Step, _ Method) (Vars, *Node) {
	last := s["last_spike"]
	size := last.Shape().Dimensions[0]
	indptr, indices, width, err := n.Table(step.Dt, size)
	if err != nil {
		panic(err)
	}
	g := last.Graph()
	rows := len(indptr) - 2
	row := Reshape(MinScalar(step.Index, float64(rows)), 1) // steps past the end read an empty row
	counts := ops.EventPropagateCSR(row, Const(g, indptr), Const(g, indices), width, Scalar(g, dtypes.Float32, 1), size)
	spike := GreaterThan(counts, ZerosLike(counts))
	return Vars{"last_spike": Where(spike, BroadcastToShape(step.Index, last.Shape()), last)}, spike
}
