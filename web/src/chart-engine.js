// The chart engine (ECharts, only the parts used: bar and line charts, their grid, legend and
// tooltip, the canvas renderer), in a chunk of its own: a quarter of the dashboard's script, which
// only the overview and assessment tabs draw with, so the map does not wait for it to load.
import {BarChart, LineChart} from 'echarts/charts';
import {GridComponent, LegendComponent, TooltipComponent} from 'echarts/components';
import * as echarts from 'echarts/core';
import {CanvasRenderer} from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export {echarts};
