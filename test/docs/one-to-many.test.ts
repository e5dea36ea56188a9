// The code sample of docs/one-to-many.md, verbatim between the markers apart from the imports and
// the data it is given (toy names: female ones end in "a", male ones in "o"): the training step
// must lower the loss on its batch, generation must return letters only (no BOS / EOS / PAD), at
// most maxLength of them, reproducibly for a seed; and the same step, repeated, must teach the
// model to follow its gender condition.
import { describe, expect, it } from 'vitest';
import { Adam, createRng, crossEntropy, OneToMany, padSequences, Tape, Vocab } from '../../src/index.js';

const SYLLABLES = ['ma', 'ri', 'lo', 'ne', 'sa', 'ti', 'ka', 'de', 'bi', 'nu'];

function toyNames(n: number, seed: number): { name: string; gender: 'female' | 'male' }[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const gender = rng.uniform() < 0.5 ? 'female' : 'male';
    const k = 1 + Math.floor(rng.uniform() * 2);
    let stem = '';
    for (let i = 0; i < k; i++) stem += SYLLABLES[Math.floor(rng.uniform() * SYLLABLES.length)];
    return { name: stem + 'l' + (gender === 'female' ? 'a' : 'o'), gender };
  });
}

describe('docs/one-to-many.md sample', () => {
  it('one training step and a seeded generation; repeated, the step learns the condition', { timeout: 120_000 }, () => {
    const names = toyNames(32, 1);
    const batch = names; // one batch of 32 names

    // --- begin docs sample ---
    const vocab = Vocab.build(names.map((n) => Array.from(n.name)));
    const gen = new OneToMany({ vocabSize: vocab.size, conditionSize: 2, embeddingDim: 32, hiddenSize: 128, paddingIdx: Vocab.PAD, seed: 1 });
    const opt = new Adam(gen, { lr: 3e-3 });

    // One batch: inputs BOS + name, targets name + EOS, condition one-hot gender [B, 2].
    const seqs = batch.map((n) => vocab.encode(Array.from(n.name), { bos: true, eos: true }));
    const inputs = padSequences(seqs.map((s) => s.slice(0, -1)), { padId: Vocab.PAD }); // [T, B]
    const targets = padSequences(seqs.map((s) => s.slice(1)), { padId: Vocab.PAD });
    const condition = { shape: [batch.length, 2], data: Float32Array.from(batch.flatMap((n) => (n.gender === 'female' ? [1, 0] : [0, 1]))) };

    const tape = new Tape();
    opt.zeroGrad();
    const { logits } = gen.forward(condition, { shape: [inputs.T, inputs.B], data: inputs.ids }, { lengths: inputs.lengths, tape });
    crossEntropy(logits, { shape: [targets.T, targets.B], data: targets.ids }, { ignoreIndex: Vocab.PAD, tape });
    tape.backward();
    opt.step();

    // Generation: a female name, sampled at temperature 0.8 (seeded), up to 15 letters.
    const ids = gen.generate({ shape: [1, 2], data: Float32Array.from([1, 0]) }, {
      prompt: [Vocab.BOS], stopToken: Vocab.EOS, excludeToken: Vocab.PAD, maxLength: 15, temperature: 0.8, seed: 7,
    });
    const name = vocab.decode(ids).join('');
    // --- end docs sample ---

    const V = vocab.size;
    expect(logits.shape).toEqual([inputs.T, batch.length, V]);
    expect(inputs.T).toBe(Math.max(...names.map((n) => n.name.length)) + 1); // BOS + the longest name
    // Inputs start with BOS; targets end each name with EOS.
    for (let b = 0; b < inputs.B; b++) {
      expect(inputs.ids[b]).toBe(Vocab.BOS);
      expect(targets.ids[(targets.lengths[b]! - 1) * targets.B + b]).toBe(Vocab.EOS);
    }
    // The step lowered the loss on its batch.
    const y = { shape: [targets.T, targets.B], data: targets.ids };
    const x = { shape: [inputs.T, inputs.B], data: inputs.ids };
    const lossOf = () => crossEntropy(gen.forward(condition, x, { lengths: inputs.lengths }).logits, y, { ignoreIndex: Vocab.PAD }).loss;
    const before = crossEntropy(logits, y, { ignoreIndex: Vocab.PAD }).loss;
    expect(lossOf()).toBeLessThan(before);
    // Generation: at most 15 ids, never PAD (excluded) nor EOS (the stop token, not returned),
    // the same for the same seed. (After one step the model may still emit BOS or UNK.)
    expect(ids.length).toBeLessThanOrEqual(15);
    expect(ids.every((id) => id !== Vocab.PAD && id !== Vocab.EOS && id < V)).toBe(true);
    expect(name).toBe(ids.map((id) => vocab.token(id)).join(''));
    const again = gen.generate({ shape: [1, 2], data: Float32Array.from([1, 0]) }, { prompt: [Vocab.BOS], stopToken: Vocab.EOS, excludeToken: Vocab.PAD, maxLength: 15, temperature: 0.8, seed: 7 });
    expect(again).toEqual(ids);

    // The same training step, repeated: the model learns to end female names in "a", male in "o".
    for (let step = 0; step < 60; step++) {
      const t = new Tape();
      opt.zeroGrad();
      const out = gen.forward(condition, x, { lengths: inputs.lengths, tape: t });
      crossEntropy(out.logits, y, { ignoreIndex: Vocab.PAD, tape: t });
      t.backward();
      opt.step();
    }
    expect(lossOf()).toBeLessThan(0.3 * before);
    const sample = (female: boolean, seed: number) =>
      vocab.decode(gen.generate({ shape: [1, 2], data: Float32Array.from(female ? [1, 0] : [0, 1]) }, { prompt: [Vocab.BOS], stopToken: Vocab.EOS, excludeToken: Vocab.PAD, maxLength: 15, temperature: 0.8, seed })).join('');
    const female = Array.from({ length: 20 }, (_, i) => sample(true, i));
    const male = Array.from({ length: 20 }, (_, i) => sample(false, i));
    for (const n of [...female, ...male]) expect(n).toMatch(/^[a-z]+$/);
    expect(female.filter((n) => n.endsWith('la')).length).toBeGreaterThanOrEqual(18);
    expect(male.filter((n) => n.endsWith('lo')).length).toBeGreaterThanOrEqual(18);
  });
});
