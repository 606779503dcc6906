// dist/page/uplot-assets.js is written by scripts/build.js from uPlot's own build (node_modules/uplot/dist):
// the chart library, inlined into every page so that a page fetches nothing when opened.
export const UPLOT_JS: string;
export const UPLOT_CSS: string;
export const UPLOT_LICENSE: string;
