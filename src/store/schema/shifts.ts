// Tables of the shifts feature.
export {};
