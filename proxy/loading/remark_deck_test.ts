import assert from "node:assert/strict";
import { RemarkDeck } from "./remark_deck.ts";

Deno.test("RemarkDeck.deal() shows every remark once before repeating", () => {
  const remarks = ["a", "b", "c", "d", "e"];
  const deck = new RemarkDeck(remarks, sequence([0.1, 0.9, 0.4, 0.6]));

  const first = [1, 2, 3, 4, 5].map(() => deck.deal());
  const second = [1, 2, 3, 4, 5].map(() => deck.deal());

  assert.deepEqual([...first].sort(), remarks);
  assert.deepEqual(second, first);
});

Deno.test("RemarkDeck shuffles with the random source it is given", () => {
  const remarks = ["a", "b", "c", "d", "e"];

  const kept = new RemarkDeck(remarks, () => 0.999);
  const moved = new RemarkDeck(remarks, () => 0);

  assert.deepEqual(remarks.map(() => kept.deal()), remarks);
  assert.deepEqual(remarks.map(() => moved.deal()), ["b", "c", "d", "e", "a"]);
});

Deno.test("RemarkDeck.deal() returns null for an empty list", () => {
  const deck = new RemarkDeck([], Math.random);

  assert.equal(deck.deal(), null);
});

Deno.test("RemarkDeck tolerates a random source that returns 1", () => {
  const deck = new RemarkDeck(["a", "b"], () => 1);

  assert.deepEqual([deck.deal(), deck.deal()].sort(), ["a", "b"]);
});

/** A random source that plays `values` in a loop. */
function sequence(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length]!;
}
