// STUB: replaced by the services.
export function servicesStart(): void {}
export function servicesPoll(): void {}
