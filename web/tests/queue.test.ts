import { describe, expect, it } from 'vitest';
import { indexAfterRemoval, keyAction, moveIndex, SHORTCUTS } from '../src/kit/queue';

describe('review queue keys', () => {
  it('maps the shortcuts shown on screen', () => {
    expect(keyAction({ key: 'j' })).toBe('next');
    expect(keyAction({ key: 'ArrowDown' })).toBe('next');
    expect(keyAction({ key: 'K' })).toBe('prev');
    expect(keyAction({ key: 'c' })).toBe('confirm');
    expect(keyAction({ key: 'r' })).toBe('reject');
    expect(keyAction({ key: 'v' })).toBe('clip');
    expect(keyAction({ key: 'x' })).toBeNull();
    for (const s of SHORTCUTS) expect(keyAction({ key: s.keys[0].toLowerCase() })).toBe(s.action);
  });
  it('leaves keys typed into the reason field to the field', () => {
    expect(keyAction({ key: 'c', target: { tagName: 'INPUT', type: 'text' } })).toBeNull();
    expect(keyAction({ key: 'j', target: { tagName: 'TEXTAREA' } })).toBeNull();
    expect(keyAction({ key: 'j', target: { tagName: 'DIV', isContentEditable: true } })).toBeNull();
    expect(keyAction({ key: 'j', target: { tagName: 'BUTTON' } })).toBe('next');
    expect(keyAction({ key: 'j', target: { tagName: 'INPUT', type: 'checkbox' } })).toBe('next');
  });
  it('leaves browser shortcuts alone (Ctrl+C copies)', () => {
    expect(keyAction({ key: 'c', ctrlKey: true })).toBeNull();
    expect(keyAction({ key: 'r', metaKey: true })).toBeNull();
  });
});

describe('moving through the queue', () => {
  it('stops at the ends', () => {
    expect(moveIndex(0, 3, 'prev')).toBe(0);
    expect(moveIndex(2, 3, 'next')).toBe(2);
    expect(moveIndex(1, 3, 'next')).toBe(2);
    expect(moveIndex(1, 3, 'first')).toBe(0);
    expect(moveIndex(0, 3, 'last')).toBe(2);
    expect(moveIndex(-1, 3, 'next')).toBe(1);
    expect(moveIndex(0, 0, 'next')).toBe(-1);
  });
  it('shows the following event after a decision, the previous one at the end, none when empty', () => {
    expect(indexAfterRemoval(1, 4)).toBe(1);
    expect(indexAfterRemoval(3, 4)).toBe(2);
    expect(indexAfterRemoval(0, 1)).toBe(-1);
  });
});
