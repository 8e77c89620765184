/** What a product module offers the state: its action handlers, each returning the success body. */
export type ActionHandler = (params: Record<string, string>) => Record<string, unknown>;
export type ActionTable = Record<string, { handler: ActionHandler; write: boolean }>;
