package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/brainc/brainc/artifact"
	"github.com/brainc/brainc/atomicfile"
	"github.com/brainc/brainc/explain"
	"github.com/brainc/brainc/jit"
	"github.com/brainc/brainc/pjrt"
)

func cmdCompile(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compile", "SPEC|MODEL", stderr)
	var sf simFlags
	addSimFlags(fs, &sf)
	out := fs.StringP("out", "o", "", "directory for NAME.mlir, manifest.json and state0.npz")
	overwrite := fs.Bool("overwrite", false, "replace the files of an earlier compile in -o DIR")
	explainPlan := fs.Bool("explain", false, "print the plan (synaptic states, kernels, bytes, monitors) to stdout")
	buckets := fs.Int("buckets", 0, "compile only the first N event-capacity buckets (default: every bucket a run may reach)")
	pos, err := parseFlags(fs, args, 1)
	if err != nil {
		return err
	}
	if *out == "" && !*explainPlan {
		return &usageError{"-o DIR is required (or --explain to only print the plan)"}
	}
	if *buckets < 0 {
		return &usageError{fmt.Sprintf("--buckets: must be ≥ 1, got %d", *buckets)}
	}
	sf.oneDevice = "compiled programs run on one device"
	net, spec, prog, err := sf.build(pos[0])
	if err != nil {
		return err
	}
	n := steps(net)
	platform := "cpu"
	var b *pjrt.Backend
	if *out != "" { // checked (and held) before the compile
		lock, err := atomicfile.Reserve(*out, atomicfile.DirOptions{Overwrite: *overwrite})
		if err != nil {
			return err
		}
		defer lock.Release()
		if b, err = pjrt.Open(pjrt.Options{Backend: sf.backend, Stderr: stderr}); err != nil {
			return err
		}
		defer b.Finalize()
		platform = b.Platform()
	}
	if sf.engine == string(jit.EngineChunk) {
		return &usageError{"--engine: brainc compile writes the loop engine's programs; chunk programs are not written"}
	}
	capacity := capacityOrDefault(sf.capacity)
	if *explainPlan {
		opts, engine := sf.runOptions(platform, n)
		if b != nil {
			engine += eventOps(b, prog, opts)
		}
		fmt.Fprint(stdout, explain.Program(prog, engine, capacity, n))
	}
	if *out == "" {
		return nil
	}
	largest := 0
	for _, b := range prog.CompactBlocks() {
		largest = max(largest, b.Size)
	}
	caps := jit.Buckets(capacity, largest)
	if *buckets > 0 && *buckets < len(caps) {
		caps = caps[:*buckets]
	}
	sum := sha256.Sum256(spec)
	a, err := artifact.Compile(b, prog, artifact.Options{Steps: n, Capacities: caps, SpecSHA256: hex.EncodeToString(sum[:]), ComposedOps: sf.composedOps})
	if err != nil {
		return err
	}
	if err := a.Write(*out, *overwrite); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d looping programs (capacities %v), manifest.json and %s to %s\n",
		len(a.Manifest.Programs), caps, artifact.State0File, *out)
	return nil
}
