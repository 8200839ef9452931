package brainc

import (
	"context"
	"fmt"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/lower"
	"github.com/brainc/brainc/netspec"
	"github.com/brainc/brainc/sweep"
)

// Sweep runs net for every combination of the grid's values and seeds (see
// package sweep: Grid, ParseSet, ParseSeeds) on the backend of opts and
// returns each instance's summary statistics. Instances run in batches,
// each one program holding a copy of the network per instance
// (sweep.Batch, sized by sweep.BatchSize), and batches share compiled
// programs: swept neuron parameters and inputs become per-neuron input
// arrays and weights are inputs already, so only batches of other shapes
// (another seed's connectivity) or other firing (a larger event capacity)
// compile. Cancelling ctx stops with the rows done. net is not changed.
func Sweep(ctx context.Context, net *ir.Network, g sweep.Grid, opts Options) ([]sweep.Row, error) {
	if net == nil {
		return nil, fmt.Errorf("brainc: nil network")
	}
	net = net.Clone()
	net.FillDefaults()
	if err := net.Validate(); err != nil {
		return nil, err
	}
	if err := netspec.ReadData(net); err != nil {
		return nil, err
	}
	b, err := backend(opts.Backend, "Options.Backend", nil, 1)
	if err != nil {
		return nil, err
	}
	return sweep.Run(ctx, b.Backend, net, g, sweep.Options{DType: lower.OptionsFor(net, lower.Choices{Float64: opts.Float64}).DType})
}
