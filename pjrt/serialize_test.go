package pjrt

import (
	"fmt"
	"testing"

	xlapjrt "github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const affineModule = `module @affine {
  func.func public @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    %c = stablehlo.constant dense<[2.0, -1.0, 0.5, 3.0]> : tensor<4xf32>
    %y = stablehlo.multiply %x, %c : tensor<4xf32>
    %z = stablehlo.add %y, %c : tensor<4xf32>
    return %z : tensor<4xf32>
  }
}`

// run executes a one-input program on x.
func run(t *testing.T, c *xlapjrt.Client, exe *xlapjrt.LoadedExecutable, x []float32) []float32 {
	t.Helper()
	in, err := xlapjrt.ArrayToBuffer(c, x, len(x))
	require.NoError(t, err)
	outs, err := exe.Execute(in).Done()
	require.NoError(t, err)
	require.Len(t, outs, 1)
	v, _, err := xlapjrt.BufferToArray[float32](outs[0])
	require.NoError(t, err)
	return v
}

// An executable compiled by the CPU plugin serializes, loads again and
// computes what the compiled one computes; damaged or foreign bytes are an
// error, not a crash.
func TestSerializeRoundTrip(t *testing.T) {
	b, err := Open(Options{Backend: "cpu"})
	require.NoError(t, err, "the CPU PJRT plugin must be installed: run `make setup`")
	c, err := Client(b)
	require.NoError(t, err)
	exe, err := c.Compile().WithStableHLO([]byte(affineModule)).Done()
	require.NoError(t, err)
	x := []float32{1, 2, 3, 4}
	want := run(t, c, exe, x)
	assert.Equal(t, []float32{4, -3, 2, 15}, want)

	data, err := Serialize(c, exe)
	require.NoError(t, err)
	require.NotEmpty(t, data)
	loaded, err := Deserialize(c, data)
	require.NoError(t, err)
	assert.Equal(t, want, run(t, c, loaded, x))
	assert.Equal(t, exe.NumOutputs, loaded.NumOutputs)

	for name, bad := range map[string][]byte{
		"truncated": data[:len(data)/2],
		"garbage":   []byte("not an executable at all"),
		"flipped":   append(append([]byte{}, data[:16]...), make([]byte, len(data)-16)...),
	} {
		_, err := Deserialize(c, bad)
		assert.Error(t, err, name)
	}
	_, err = Deserialize(c, nil)
	assert.EqualError(t, err, "pjrt: deserialize: no bytes")
	for _, d := range []int{0, 2} {
		_, err = DeserializeOn(c, data, d)
		assert.EqualError(t, err, fmt.Sprintf("pjrt: deserialize for %d devices: the client has 1", d))
	}
}
