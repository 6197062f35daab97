pub static COUNTRIES: &[(&str, &str, &str)] = &[("CN", "China", "中国"), ("KZ", "Kazakhstan", "哈萨克斯坦"), ("MY", "Malaysia", "马来西亚")];
