package hlo

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A cut-down optimised module as XLA's CPU compiler dumps one.
const module = `HloModule loop_c16, is_scheduled=true

%fused_computation (param_0: f32[4]) -> f32[4] {
  %param_0 = f32[4]{0} parameter(0)
  ROOT %negate = f32[4]{0} negate(%param_0)
}

%cond (arg: (s32[], f32[4])) -> pred[] {
  %arg = (s32[], f32[4]{0}) parameter(0)
  %i = s32[] get-tuple-element(%arg), index=0
  %n = s32[] constant(10)
  ROOT %lt = pred[] compare(%i, %n), direction=LT
}

%body (arg: (s32[], f32[4])) -> (s32[], f32[4]) {
  %arg = (s32[], f32[4]{0}) parameter(0)
  %i = s32[] get-tuple-element(%arg), index=0
  %x = f32[4]{0} get-tuple-element(%arg), index=1
  %one = s32[] constant(1)
  %copy.1 = f32[4]{0} copy(%x)
  %negate_fusion = f32[4]{0} fusion(%copy.1), kind=kLoop, calls=%fused_computation
  %custom-call = (f32[2]{0}, s32[2]{0}) custom-call(%negate_fusion), custom_call_target="TopK", called_computations={%cond}
  %b = s32[1]{0} bitcast(%i)
  %next = s32[] add(%i, %one)
  ROOT %t = (s32[], f32[4]{0}) tuple(%next, %negate_fusion)
}

ENTRY %main.1 (p: f32[4]) -> f32[4] {
  %p = f32[4]{0} parameter(0)
  %zero = s32[] constant(0)
  %init = (s32[], f32[4]{0}) tuple(%zero, %p)
  %while.3 = (s32[], f32[4]{0}) while(%init), condition=%cond, body=%body, metadata={op_name="w"}
  ROOT %out = f32[4]{0} get-tuple-element(%while.3), index=1
}
`

func TestWhileLoop(t *testing.T) {
	l, err := WhileLoop(module)
	require.NoError(t, err)
	assert.Equal(t, []Kernel{
		{Name: "%copy.1", Op: "copy", Shape: "f32[4]{0}"},
		{Name: "%negate_fusion", Op: "fusion", Shape: "f32[4]{0}"},
		{Name: "%custom-call", Op: "custom-call TopK", Shape: "(f32[2]{0}, s32[2]{0})"},
		{Name: "%next", Op: "add", Shape: "s32[]"},
	}, l.Body)
	assert.Equal(t, []Kernel{{Name: "%lt", Op: "compare", Shape: "pred[]"}}, l.Condition)
	assert.Equal(t, 5, l.Count())
	assert.Contains(t, l.String(), "body: %custom-call = (f32[2]{0}, s32[2]{0}) custom-call TopK\n")

	_, err = WhileLoop("HloModule m\n")
	assert.EqualError(t, err, "hlo: the module has no ENTRY computation")
	_, err = WhileLoop("HloModule m\n\nENTRY %main (p: f32[]) -> f32[] {\n  ROOT %p = f32[] parameter(0)\n}\n")
	assert.EqualError(t, err, "hlo: the entry computation has no while loop")
}

func TestDumpedModule(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "module_0003.coba_c16.cpu_after_optimizations.txt"), []byte(module), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "module_0003.coba_c16.cpu_after_optimizations-buffer-assignment.txt"), nil, 0o644))
	text, err := DumpedModule(dir, "coba_c16")
	require.NoError(t, err)
	assert.Equal(t, module, text)
	_, err = DumpedModule(dir, "cuba_c16")
	assert.EqualError(t, err, `hlo: expected one optimised module "cuba_c16" in `+dir+", found 0")
}
