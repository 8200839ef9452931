"""Oja's rule and BCM, written with rate traces, in Brian2 on fixed spike
trains: the reference for brainc's clock-driven rules
(tests/synapse_state_test.go). Each neuron's rate trace x (dx/dt = -x/tau_x,
+1 per spike) is a NeuronGroup variable; BCM's sliding threshold theta
(dtheta/dt = (x**2 - theta)/tau_theta) is kept per postsynaptic neuron.
The synapses' clock-driven weights are updated before the groups decay
(order=-1), so that they read the traces at each step's start, as brainc's
rules do. Writes JSON: the spike trains, the parameters and both rules'
final weights."""
import json

import numpy as np
import brian2 as b2
from brian2 import ms

from common import spike_trains

PARAMS = dict(tau_x=50.0, tau_theta=200.0, eta_oja=1e-3, eta_bcm=2e-4, w0=0.5)


def main():
    duration = 3000.0
    rng = np.random.default_rng(7)
    pre_i, pre_s = spike_trains(rng, np.linspace(5, 40, 12), duration, 2.0)
    post_i, post_s = spike_trains(rng, [8.0, 15.0, 25.0], duration, 2.0)
    p = PARAMS
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 0.1 * ms
    ns = dict(tau_x=p["tau_x"] * ms, tau_theta=p["tau_theta"] * ms, eta_oja=p["eta_oja"], eta_bcm=p["eta_bcm"])
    pre = b2.SpikeGeneratorGroup(12, pre_i, np.array(pre_s) * 0.1 * ms)
    post = b2.SpikeGeneratorGroup(3, post_i, np.array(post_s) * 0.1 * ms)
    X = b2.NeuronGroup(12, "dx/dt = -x/tau_x : 1", method="exact", namespace=ns)
    Y = b2.NeuronGroup(3, """dx/dt = -x/tau_x : 1
        dtheta/dt = (x**2 - theta)/tau_theta : 1""", method="exponential_euler", namespace=ns)
    feed_x = b2.Synapses(pre, X, on_pre="x_post += 1")
    feed_x.connect(j="i")
    feed_y = b2.Synapses(post, Y, on_pre="x_post += 1")
    feed_y.connect(j="i")
    oja = b2.Synapses(X, Y, "dw/dt = eta_oja*(x_pre*x_post - x_post**2*w)/ms : 1 (clock-driven)",
                      method="euler", namespace=ns, order=-1)
    bcm = b2.Synapses(X, Y, "dw/dt = eta_bcm*x_pre*x_post*(x_post - theta_post)/ms : 1 (clock-driven)",
                      method="euler", namespace=ns, order=-1)
    for s in (oja, bcm):
        s.connect()
        s.w = p["w0"]
    net = b2.Network(pre, post, X, Y, feed_x, feed_y, oja, bcm)
    net.run(duration * ms)
    out = dict(simulator="brian2", version=b2.__version__, duration_ms=duration, dt_ms=0.1, params=p,
               n_pre=12, n_post=3, pre_i=pre_i, pre_step=pre_s, post_i=post_i, post_step=post_s,
               syn_i=[int(x) for x in oja.i[:]], syn_j=[int(x) for x in oja.j[:]],
               oja_w=[float(x) for x in oja.w[:]], bcm_w=[float(x) for x in bcm.w[:]],
               theta=[float(x) for x in Y.theta[:]])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
