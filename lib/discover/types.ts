/** What discovery yields: pages of resources of one (region, type) unit, with where to resume. */
import type { ResourceType } from '../catalog.ts';
import type { TaggedResource } from '../types.ts';

export interface ListUnit {
  region: string;
  type: ResourceType;
}

export interface ListCursor {
  /** Which lister the token belongs to (an action name, or `ListTagResources:keys` / `:ids`). */
  lister: string;
  token: string;
}

export interface DiscoveredPage {
  resources: TaggedResource[];
  /** Where listing of this unit resumes after this page; absent once the unit is fully listed. */
  next?: ListCursor;
}
