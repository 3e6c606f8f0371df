import { describe, expect, it } from 'vitest';
import { boxToPixels, containRect, hitVertex, pointInPolygon, polygonArea, roiProblem, selfIntersects, toNormalised, toPixels, type Point } from '../src/kit/geometry';

describe('containRect (object-fit: contain)', () => {
  it('letterboxes a 16:9 picture in a 4:3 box (bars above and below)', () => {
    expect(containRect({ width: 1920, height: 1080 }, { width: 800, height: 600 })).toEqual({ x: 0, y: 75, w: 800, h: 450 });
  });
  it('pillarboxes a 4:3 picture in a 16:9 box (bars left and right)', () => {
    expect(containRect({ width: 640, height: 480 }, { width: 1600, height: 900 })).toEqual({ x: 200, y: 0, w: 1200, h: 900 });
  });
  it('is empty for a picture not loaded yet', () => {
    expect(containRect({ width: 0, height: 0 }, { width: 800, height: 600 })).toEqual({ x: 0, y: 0, w: 0, h: 0 });
  });
});

describe('boxes', () => {
  const drawn = containRect({ width: 1920, height: 1080 }, { width: 800, height: 600 });
  it('scales a normalised box into the drawn picture, offset by the letterbox', () => {
    expect(boxToPixels({ x: 0.25, y: 0.5, w: 0.5, h: 0.25 }, drawn)).toEqual({ x: 200, y: 75 + 225, w: 400, h: 112.5 });
  });
  it('clips a box that leaves the frame', () => {
    const r = boxToPixels({ x: 0.9, y: -0.1, w: 0.3, h: 0.2 }, drawn);
    expect(r.x + r.w).toBeCloseTo(800);
    expect(r.y).toBe(75);
    expect(r.h).toBeCloseTo(0.1 * 450);
  });
});

describe('normalised points', () => {
  const drawn = { x: 200, y: 0, w: 1200, h: 900 };
  it('round-trips a click through the drawn picture', () => {
    const n = toNormalised([500, 450], drawn)!;
    expect(n).toEqual([0.25, 0.5]);
    expect(toPixels(n, drawn)).toEqual([500, 450]);
  });
  it('clamps a click on the letterbox bar to the picture edge', () => {
    expect(toNormalised([50, 950], drawn)).toEqual([0, 1]);
  });
  it('finds the vertex under the pointer within its radius only', () => {
    const poly: Point[] = [[0, 0], [0.5, 0.5], [1, 0]];
    expect(hitVertex(poly, [805, 452], drawn)).toBe(1);
    expect(hitVertex(poly, [830, 452], drawn)).toBe(-1);
  });
});

describe('ROI checks', () => {
  const square: Point[] = [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]];
  const bowtie: Point[] = [[0.1, 0.1], [0.5, 0.5], [0.5, 0.1], [0.1, 0.5]];
  it('computes the share of the frame', () => {
    expect(polygonArea(square)).toBeCloseTo(0.16);
  });
  it('tells a bow tie from a square', () => {
    expect(selfIntersects(square)).toBe(false);
    expect(selfIntersects(bowtie)).toBe(true);
  });
  it('accepts a good ROI and names what is wrong with a bad one', () => {
    expect(roiProblem('罐区', square)).toBe('');
    expect(roiProblem('', square)).toMatch(/名称/);
    expect(roiProblem('罐区', square.slice(0, 2))).toMatch(/3 个顶点/);
    expect(roiProblem('罐区', bowtie)).toMatch(/交叉/);
    expect(roiProblem('罐区', square, ['罐区'])).toMatch(/已存在/);
    expect(roiProblem('全画面', square)).toMatch(/保留/);
    expect(roiProblem('x', [[0, 0], [0.01, 0], [0.01, 0.01]])).toMatch(/过小/);
  });
  it('knows which points lie inside', () => {
    expect(pointInPolygon([0.3, 0.3], square)).toBe(true);
    expect(pointInPolygon([0.6, 0.3], square)).toBe(false);
  });
});
