import { expect } from 'chai';
import { initRuntime, hasNativeTfjsNode, tf } from '../core/tf/runtime';

describe('tf runtime', () => {
  it('picks wasm here (tfjs-node alias from danfojs is not the native binding)', async () => {
    const name = await initRuntime();
    expect(hasNativeTfjsNode()).to.equal(false);
    expect(name).to.equal('wasm');
    expect(tf.getBackend()).to.equal('wasm');
  });

  it('has UnsortedSegmentSum and Conv2DBackpropFilter registered on wasm', () => {
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    expect(names).to.include('UnsortedSegmentSum');
    expect(names).to.include('Conv2DBackpropFilter');
  });
});
