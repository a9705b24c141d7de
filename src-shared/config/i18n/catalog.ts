/** A translation has the English catalog's shape, with any string in each place. */
export type Catalog<T> = { [K in keyof T]: T[K] extends string ? string : Catalog<T[K]> }
