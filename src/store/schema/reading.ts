// Tables of the reading feature.
export {};
