package netspec

import (
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/brainc/brainc/connect"
	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/npyio"
)

// ReadData reads every data file a network names into it: per-neuron
// values given as {file: x.npy} (parameters, inputs, initial values), the
// spike trains of SpikeTimes populations given as an .npz, and the synapse
// lists of conn: {file: …}. Each lands in the field Read beside the file's
// name, so that lowering reads no file. Parse calls it; a network built in
// Go that names files needs it before lower.Build (brainc.New calls it).
// A file already read is not read again.
//
// Files are read through npyio (regular files of bounded size, see
// package infile); an error names the spec field of the value and its
// line, and quotes no bytes of the file.
func ReadData(net *ir.Network) error {
	for _, ip := range net.Populations {
		if ip == nil {
			continue // Validate refuses it
		}
		if err := readPopulation(ip); err != nil {
			return &ir.SpecError{File: net.File, Line: ip.Line, Field: "populations." + ip.Name, Msg: err.Error()}
		}
	}
	for _, ipr := range net.Projections {
		if ipr == nil {
			continue
		}
		c := &ipr.Conn
		if c.File == "" || c.Read != nil {
			continue
		}
		var l connect.Lists
		var err error
		switch c.Rule {
		case ir.ConnFromFile:
			l, err = connect.ReadLists(c.File)
		case ir.ConnConnectome:
			l, err = readConnectome(net, ipr)
		default:
			continue
		}
		if err != nil {
			return &ir.SpecError{File: net.File, Line: ipr.Line, Field: "projections." + ipr.Name, Msg: err.Error()}
		}
		c.Read = &l
	}
	return nil
}

// readConnectome reads a connectome projection's file into synapses
// (connect.Connectome.Synapses at its speed), checking that its regions
// are the populations' neurons.
func readConnectome(net *ir.Network, ipr *ir.Projection) (connect.Lists, error) {
	c, err := connect.ReadConnectome(ipr.Conn.File)
	if err != nil {
		return connect.Lists{}, err
	}
	for _, name := range []string{ipr.Pre, ipr.Post} {
		if pop := net.Population(name); pop != nil && pop.Size != c.Regions {
			return connect.Lists{}, fmt.Errorf("%s has %d regions, but population %s has %d neurons: one neuron per region", ipr.Conn.File, c.Regions, name, pop.Size)
		}
	}
	if ipr.Conn.Speed > 0 && c.TractLengths == nil {
		return connect.Lists{}, fmt.Errorf("%s has no tract lengths, so speed %g mm/ms gives no delays: leave speed out, or add tract_lengths", ipr.Conn.File, ipr.Conn.Speed)
	}
	return c.Synapses(ipr.Conn.Speed), nil
}

// readPopulation reads a population's file values and spike file; an
// error starts with the field within the population.
func readPopulation(ip *ir.Population) error {
	read := func(values map[string]ir.Init, field string) error {
		for _, name := range slices.Sorted(maps.Keys(values)) {
			in := values[name]
			if err := readValues(&in); err != nil {
				return fmt.Errorf("%s.%s: %w", field, name, err)
			}
			values[name] = in
		}
		return nil
	}
	if err := read(ip.Vary, "params"); err != nil {
		return err
	}
	if in := ip.Input.PerNeuron; in != nil {
		if err := readValues(in); err != nil {
			return fmt.Errorf("input: %w", err)
		}
	}
	if err := read(ip.Init, "init"); err != nil {
		return err
	}
	if s := ip.Spikes; s != nil && s.File != "" && s.Read == nil {
		r, err := spikeFile(s.File, ip.Size)
		if err != nil {
			return err
		}
		s.Read = r
	}
	return nil
}

// readValues reads a file value's .npy into in.Read, once; values of
// other kinds are left as they are.
func readValues(in *ir.Init) error {
	if in.Kind != ir.InitFile || in.Read != nil {
		return nil
	}
	v, err := fileValues(in.File)
	in.Read = v
	return err
}

// fileValues reads the values of an .npy file of numbers.
func fileValues(path string) (*ir.FileValues, error) {
	a, err := npyio.ReadNPYFile(path)
	if err != nil {
		return nil, err
	}
	v, err := npyio.Float64s(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &ir.FileValues{Values: v, Shape: slices.Clone(a.Shape)}, nil
}

// spikeFile reads a SpikeTimes population's .npz (arrays "times" in ms
// and "indices", of one length): each index a neuron of [0, size), each
// time finite and ≥ 0.
func spikeFile(path string, size int) (*ir.ReadSpikes, error) {
	byName, err := npyio.ReadNPZMap(path)
	if err != nil {
		return nil, err
	}
	var times, indices []float64
	for _, f := range []struct {
		name string
		dst  *[]float64
	}{{"times", &times}, {"indices", &indices}} {
		if a, ok := byName[f.name]; ok {
			if *f.dst, err = npyio.Float64s(a); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, f.name, err)
			}
		}
	}
	if times == nil || indices == nil || len(times) != len(indices) {
		return nil, fmt.Errorf("%s: expected arrays times (ms) and indices of one length", path)
	}
	r := &ir.ReadSpikes{Times: times, Indices: make([]int, len(indices))}
	for k, x := range indices {
		if x != math.Trunc(x) || x < 0 || x >= float64(size) {
			return nil, fmt.Errorf("%s: indices[%d] is %g, not a neuron of [0, %d)", path, k, x, size)
		}
		r.Indices[k] = int(x)
		if !(times[k] >= 0) || math.IsInf(times[k], 0) {
			return nil, fmt.Errorf("%s: times[%d] is %g ms, expected a finite time ≥ 0", path, k, times[k])
		}
	}
	return r, nil
}
