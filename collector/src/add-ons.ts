// The collector's add-ons, in the order they are built, started and stopped. A new exporter or add-on is one
// entry here, a CollectorComponent (components/types.ts) and its section of the configuration (config/).
import { autoscalingComponent } from './autoscaling/index.ts';
import { budgetsComponent } from './budgets/index.ts';
import { capacityComponent } from './capacity/index.ts';
import { cloudWatchComponent, emfComponent } from './cloudwatch/index.ts';
import type { ComponentFactory } from './components/types.ts';
import { quotaComponent } from './quota/index.ts';

export const ADD_ONS: readonly ComponentFactory[] = [
  capacityComponent,
  cloudWatchComponent,
  emfComponent,
  budgetsComponent,
  quotaComponent,
  autoscalingComponent,
];
