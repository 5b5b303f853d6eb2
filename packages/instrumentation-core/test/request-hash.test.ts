import { describe, expect, it } from 'vitest';
import { requestHash } from '../src/index.ts';

const messages = [{ role: 'user', content: 'Where is my refund?' }];

describe('requestHash', () => {
  it('is 16 hex digits, equal for equal requests however they were built', () => {
    const h = requestHash('openai', { model: 'gpt-4o-mini', messages });
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(requestHash('openai', JSON.parse(JSON.stringify({ model: 'gpt-4o-mini', messages })))).toBe(h);
    // What JSON does not send does not count.
    expect(requestHash('openai', { model: 'gpt-4o-mini', messages, user: undefined, tool: () => 1 })).toBe(h);
    expect(requestHash('openai', Object.assign(Object.create(null), { model: 'gpt-4o-mini', messages }))).toBe(h);
  });

  it('tells apart requests that differ anywhere, in value, type, place or provider', () => {
    const variants: [string, unknown][] = [
      ['openai', { model: 'gpt-4o-mini', messages }],
      ['anthropic', { model: 'gpt-4o-mini', messages }],
      ['openai', { model: 'gpt-4o', messages }],
      ['openai', { model: 'gpt-4o-mini', messages: [...messages, { role: 'user', content: 'Where is my refund?' }] }],
      ['openai', { model: 'gpt-4o-mini', messages, max_tokens: 1 }],
      ['openai', { model: 'gpt-4o-mini', messages, max_tokens: '1' }],
      ['openai', { model: 'gpt-4o-mini', messages, max_tokens: true }],
      ['openai', { model: 'gpt-4o-mini', messages, max_tokens: null }],
      ['openai', { model: 'gpt-4o-mini', messages, max_tokens: [1] }],
      ['openai', { model: 'gpt-4o-mini', messages, max_tokens: { 1: 1 } }],
      ['openai', { messages, model: 'gpt-4o-mini' }],
      // Keys and strings that would run together without their lengths.
      ['openai', { a: 'b:c' }],
      ['openai', { 'a:b': 'c' }],
      ['openai', { ab: 'c' }],
      ['openai', ['a', 'bc']],
      ['openai', ['ab', 'c']],
      ['openai', [[], []]],
      ['openai', [[[]]]],
      ['openai', [null]],
      ['openai', []],
      // Lone surrogates are not lost to UTF-8.
      ['openai', { text: '\ud800' }],
      ['openai', { text: '\ufffd' }],
      ['openai', { when: new Date(0) }],
      ['openai', { when: new Date(1) }],
    ];
    const hashes = variants.map(([provider, params]) => requestHash(provider, params));
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('reads values as JSON would send them: toJSON, class instances, arrays holding nothing to send', () => {
    expect(requestHash('p', { a: { toJSON: () => 'x' } })).toBe(requestHash('p', { a: { toJSON: () => 'x', b: 2 } }));
    expect(requestHash('p', { a: { toJSON: () => 'x' } })).not.toBe(requestHash('p', { a: { toJSON: () => 'y' } }));
    expect(requestHash('p', [undefined])).toBe(requestHash('p', [null]));
    class Point {
      x: number;
      constructor(x: number) {
        this.x = x;
      }
    }
    expect(requestHash('p', { at: new Point(1) })).not.toBe(requestHash('p', { at: new Point(2) }));
  });

  it('hashes deep values, and fails on a cycle as JSON does', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = { next: deep };
    expect(requestHash('p', deep)).toMatch(/^[0-9a-f]{16}$/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => requestHash('p', cyclic)).toThrow(TypeError);
  });
});
