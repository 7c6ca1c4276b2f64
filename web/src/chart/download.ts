// Save what a chart shows: as a PNG picture (title, plot and legend), or a file of text.

import type uPlot from "uplot";

export interface LegendEntry {
  label: string;
  color: string;
  dashed: boolean;
}

function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A PNG of the chart's canvas with a title above and the legend below. */
export function downloadPng(chart: uPlot, title: string, legend: LegendEntry[], filename: string): void {
  const style = getComputedStyle(document.documentElement);
  const background = style.getPropertyValue("--bg").trim() || "#ffffff";
  const text = style.getPropertyValue("--fg").trim() || "#1f2328";
  const plot = chart.ctx.canvas;
  const ratio = plot.width / Math.max(1, chart.width);
  const padding = 12 * ratio;
  const titleHeight = 28 * ratio;
  const legendHeight = 24 * ratio;
  const canvas = document.createElement("canvas");
  canvas.width = plot.width + 2 * padding;
  canvas.height = plot.height + titleHeight + legendHeight + 2 * padding;
  const context = canvas.getContext("2d");
  if (!context) return;
  context.fillStyle = background;
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = text;
  context.font = `600 ${15 * ratio}px system-ui, sans-serif`;
  context.textBaseline = "middle";
  context.fillText(title, padding, padding + titleHeight / 2);
  context.drawImage(plot, padding, padding + titleHeight);
  let x = padding;
  const y = padding + titleHeight + plot.height + legendHeight / 2;
  context.font = `${12 * ratio}px system-ui, sans-serif`;
  for (const entry of legend) {
    context.strokeStyle = entry.color;
    context.lineWidth = 2 * ratio;
    context.setLineDash(entry.dashed ? [6 * ratio, 4 * ratio] : []);
    context.beginPath();
    context.moveTo(x, y);
    context.lineTo(x + 18 * ratio, y);
    context.stroke();
    context.fillText(entry.label, x + 24 * ratio, y);
    x += 24 * ratio + context.measureText(entry.label).width + 16 * ratio;
  }
  canvas.toBlob((blob) => {
    if (blob) save(blob, filename);
  }, "image/png");
}

/** Put text on the clipboard; false when the browser refuses (the caller shows it instead). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
