// Package models holds brainc's built-in networks as embedded spec files:
// `brainc run coba` needs no file on disk.
package models

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/brainc/brainc/ir"
	"github.com/brainc/brainc/netspec"
)

//go:embed *.yaml
var specs embed.FS

// Names lists the built-in networks, sorted.
func Names() []string { return names(specs, ".") }

// names lists the .yaml files of dir in fsys without extension, sorted.
func names(fsys embed.FS, dir string) []string {
	entries, _ := fsys.ReadDir(dir)
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Spec returns the spec text of a built-in network.
func Spec(name string) ([]byte, error) {
	data, err := specs.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown built-in model %q: expected one of %q", name, Names())
	}
	return data, nil
}

// Load parses a built-in network.
func Load(name string) (*ir.Network, error) {
	data, err := Spec(name)
	if err != nil {
		return nil, err
	}
	return netspec.Parse(data, name+".yaml")
}

//go:embed training/*.yaml
var trainingSpecs embed.FS

// TrainingNames lists the built-in training specs (brainc train NAME), sorted.
func TrainingNames() []string { return names(trainingSpecs, "training") }

// TrainingSpec returns the text of a built-in training spec.
func TrainingSpec(name string) ([]byte, error) {
	data, err := trainingSpecs.ReadFile("training/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("unknown built-in training spec %q: expected one of %q", name, TrainingNames())
	}
	return data, nil
}

// LoadSpec reads a network named on a command line or in code: the spec
// file (YAML or JSON) at arg when there is one, else the built-in network
// of that name. It also returns the spec's text. An arg that looks like a
// path (it holds "." or "/") and names no file is an error that says so.
func LoadSpec(arg string) (*ir.Network, []byte, error) {
	if _, err := os.Stat(arg); err == nil {
		data, err := netspec.ReadFile(arg)
		if err != nil {
			return nil, nil, err
		}
		net, err := netspec.Parse(data, arg)
		return net, data, err
	}
	if strings.ContainsAny(arg, "./") {
		return nil, nil, fmt.Errorf("spec file %q: %w", arg, os.ErrNotExist)
	}
	data, err := Spec(arg)
	if err != nil {
		// A built-in training spec that holds its network (populations:
		// beside train:) is that network too.
		if t, terr := TrainingSpec(arg); terr == nil && bytes.Contains(t, []byte("\npopulations:")) {
			net, err := netspec.Parse(t, arg+".yaml")
			return net, t, err
		}
		return nil, nil, err
	}
	net, err := netspec.Parse(data, arg+".yaml")
	return net, data, err
}
