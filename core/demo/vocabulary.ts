/**
 * The demo store's catalogue vocabulary: categories, their attribute keys and values,
 * price ranges and title templates. Written for Copydesk (not taken from any dataset);
 * attribute keys follow the AdvertiseGen convention (类型, 材质, 颜色, 风格, 图案, 版型 …)
 * so the generator's input form matches.
 */

export interface CategorySpec {
  /** Category name, also the value of 类型. */
  name: string;
  /** How many items of this category the demo catalogue has. */
  count: number;
  /** Price range in yuan (prices end in 9). */
  price: [number, number];
  /** The sub-type key and its values (裙型, 裤型, 衣样式, 鞋型, 包型). */
  subtype: { key: string; values: string[] };
  /** Further attribute keys and values; each item takes one value per key (some keys optional). */
  attrs: Array<{ key: string; values: string[]; optional?: boolean }>;
  /** Material values with a price factor (>1 dearer). */
  materials: Array<[string, number]>;
  /** Words for the title's selling point, chosen per item. */
  sellingPoints: string[];
}

export const COLORS = [
  '黑色', '白色', '米白色', '杏色', '卡其色', '驼色', '燕麦色', '浅灰色', '深灰色', '藏青色',
  '雾霾蓝', '天蓝色', '牛仔蓝', '酒红色', '砖红色', '墨绿色', '橄榄绿', '奶油黄', '藕粉色', '香芋紫',
];

export const STYLES = ['简约', '通勤', '复古', '法式', '甜美', '韩版', '街头', '休闲', '文艺', '运动', '知性', '学院'];

export const PATTERNS = ['纯色', '碎花', '条纹', '格子', '波点', '印花', '刺绣', '拼色', '字母', '千鸟格'];

export const FITS = ['显瘦', '宽松', '修身', '收腰', '落肩', '直身'];

const CLOTH_MATERIALS: Array<[string, number]> = [
  ['棉', 1.0], ['雪纺', 1.0], ['棉麻', 1.1], ['亚麻', 1.2], ['真丝', 1.8], ['针织', 1.0],
  ['莫代尔', 1.1], ['天丝', 1.3], ['牛仔布', 1.0], ['灯芯绒', 1.1], ['醋酸', 1.4], ['涤纶', 0.8],
];

export const CATEGORIES: CategorySpec[] = [
  {
    name: '裙',
    count: 72,
    price: [89, 459],
    subtype: { key: '裙型', values: ['a字裙', '百褶裙', '包臀裙', '鱼尾裙', '吊带裙', '衬衫裙', '针织裙', '蛋糕裙'] },
    attrs: [
      { key: '裙长', values: ['短裙', '中长裙', '长裙'] },
      { key: '版型', values: ['显瘦', '宽松', '收腰', '修身'] },
      { key: '领型', values: ['圆领', 'v领', '方领', '一字领', '娃娃领'], optional: true },
      { key: '袖长', values: ['无袖', '短袖', '五分袖', '长袖'], optional: true },
    ],
    materials: CLOTH_MATERIALS.filter(([m]) => !['灯芯绒', '涤纶'].includes(m)),
    sellingPoints: ['收腰显瘦', '遮肉显高', '温柔气质', '度假风', '小个子友好', '仙气飘飘'],
  },
  {
    name: '裤',
    count: 62,
    price: [69, 329],
    subtype: { key: '裤型', values: ['阔腿裤', '直筒裤', '小脚裤', '哈伦裤', '工装裤', '喇叭裤', '老爹裤'] },
    attrs: [
      { key: '裤长', values: ['九分裤', '长裤', '七分裤', '短裤'] },
      { key: '腰型', values: ['高腰', '中腰', '松紧腰'] },
      { key: '版型', values: ['显瘦', '宽松', '修身', '直身'] },
    ],
    materials: CLOTH_MATERIALS.filter(([m]) => ['棉', '棉麻', '亚麻', '牛仔布', '灯芯绒', '醋酸', '涤纶', '针织', '天丝'].includes(m)),
    sellingPoints: ['显腿长', '垂感好', '遮胯', '梨形身材友好', '四季可穿', '不挑身材'],
  },
  {
    name: '上衣',
    count: 74,
    price: [49, 299],
    subtype: { key: '衣样式', values: ['衬衫', 't恤', '卫衣', '针织衫', '雪纺衫', '毛衣', '打底衫', '开衫', 'polo衫'] },
    attrs: [
      { key: '衣长', values: ['短款', '常规', '中长款'] },
      { key: '版型', values: ['宽松', '修身', '落肩', '直身'] },
      { key: '领型', values: ['圆领', 'v领', '翻领', '立领', '半高领'], optional: true },
      { key: '袖长', values: ['短袖', '长袖', '七分袖', '无袖'] },
    ],
    materials: CLOTH_MATERIALS.filter(([m]) => !['牛仔布', '灯芯绒'].includes(m)),
    sellingPoints: ['百搭', '显白', '软糯亲肤', '宽松不挑人', '叠穿好看', '通勤必备'],
  },
  {
    name: '外套',
    count: 52,
    price: [159, 899],
    subtype: { key: '衣样式', values: ['风衣', '西装外套', '夹克', '毛呢大衣', '棒球服', '羽绒服', '牛仔外套', '针织开衫'] },
    attrs: [
      { key: '衣长', values: ['短款', '常规', '中长款', '长款'] },
      { key: '版型', values: ['宽松', '修身', '落肩', '廓形'] },
      { key: '领型', values: ['翻领', '立领', '连帽', '西装领'] },
    ],
    materials: [['棉', 1.0], ['羊毛', 1.6], ['毛呢', 1.4], ['牛仔布', 1.0], ['涤纶', 0.8], ['羊羔绒', 1.1], ['灯芯绒', 1.0], ['羽绒', 1.7]],
    sellingPoints: ['挺括有型', '保暖', '气场全开', '通勤必备', '防风', '轻薄不臃肿'],
  },
  {
    name: '鞋',
    count: 44,
    price: [99, 599],
    subtype: { key: '鞋型', values: ['小白鞋', '帆布鞋', '马丁靴', '乐福鞋', '老爹鞋', '玛丽珍鞋', '凉鞋', '短靴'] },
    attrs: [
      { key: '跟高', values: ['平底', '低跟', '中跟', '高跟'] },
      { key: '鞋头', values: ['圆头', '方头', '尖头'], optional: true },
    ],
    materials: [['真皮', 1.6], ['帆布', 0.8], ['pu皮', 1.0], ['麂皮', 1.3], ['网面', 0.9], ['漆皮', 1.2]],
    sellingPoints: ['不磨脚', '软底舒适', '增高', '百搭', '轻便', '久走不累'],
  },
  {
    name: '包',
    count: 36,
    price: [79, 699],
    subtype: { key: '包型', values: ['斜挎包', '托特包', '双肩包', '腋下包', '水桶包', '链条包', '马鞍包'] },
    attrs: [
      { key: '尺寸', values: ['小号', '中号', '大号'] },
      { key: '开合方式', values: ['拉链', '磁扣', '翻盖', '抽绳'], optional: true },
    ],
    materials: [['真皮', 1.7], ['pu皮', 1.0], ['帆布', 0.7], ['尼龙', 0.8], ['麂皮', 1.3]],
    sellingPoints: ['大容量', '轻便', '通勤必备', '高级感', '可斜挎可手提', '小众设计'],
  },
];

export const SEASONS = ['春季', '夏季', '秋季', '冬季', '早春', '初秋', '春秋', '四季'];

/** Title templates: {season} {style} {color} {material} {pattern} {subtype} {point} {extra}. */
export const TITLE_TEMPLATES = [
  '{season}新款{style}{pattern}{material}{subtype} {point}',
  '{style}风{color}{subtype}女{season}{point}',
  '{color}{material}{subtype} {style}{extra}{point}',
  '{season}{style}{color}{pattern}{subtype} {extra}',
  '原创设计{material}{subtype}女 {color}{point}',
  '{point}{style}{subtype} {material}{color}{season}款',
];

/** User segments with what they lean towards (their tastes are drawn with these boosts). */
export interface SegmentSpec {
  name: string;
  share: number;
  categories: Record<string, number>;
  values: string[];
  /** Price sensitivity: 0 none … 1 strong preference for cheap items. */
  thrift: number;
  /** Weights of the age bands 18-24, 25-30, 31-40, 41+. */
  ages: [number, number, number, number];
}

export const SEGMENTS: SegmentSpec[] = [
  { name: '学生党', share: 0.22, categories: { 上衣: 2, 裤: 1.5, 鞋: 1.5 }, values: ['休闲', '学院', '运动', '卫衣', '帆布鞋', '小白鞋', '字母', '宽松'], thrift: 0.8, ages: [0.85, 0.15, 0, 0] },
  { name: '职场通勤', share: 0.24, categories: { 外套: 2, 裤: 1.5, 包: 1.5 }, values: ['通勤', '知性', '简约', '西装外套', '直筒裤', '托特包', '纯色', '修身'], thrift: 0.3, ages: [0.1, 0.45, 0.35, 0.1] },
  { name: '精致宝妈', share: 0.16, categories: { 裙: 2, 上衣: 1.5 }, values: ['棉', '棉麻', '宽松', '纯色', '简约', '平底'], thrift: 0.5, ages: [0, 0.35, 0.5, 0.15] },
  { name: '潮流玩家', share: 0.14, categories: { 鞋: 2, 外套: 1.5, 包: 1.3 }, values: ['街头', '老爹鞋', '马丁靴', '工装裤', '拼色', '落肩'], thrift: 0.3, ages: [0.45, 0.4, 0.15, 0] },
  { name: '温柔淑女', share: 0.24, categories: { 裙: 2.5, 上衣: 1.3 }, values: ['法式', '甜美', '雪纺', '碎花', '收腰', '显瘦', '波点'], thrift: 0.4, ages: [0.25, 0.35, 0.3, 0.1] },
];

export const CITIES = ['上海', '北京', '杭州', '广州', '深圳', '成都', '南京', '武汉', '西安', '长沙', '重庆', '苏州', '天津', '厦门'];
export const AGE_BANDS = ['18-24', '25-30', '31-40', '41+'];

/** Sub-types that only come in some materials (so no 雪纺 羽绒服). */
export const MATERIALS_FOR_SUBTYPE: Record<string, string[]> = {
  针织裙: ['针织'],
  雪纺衫: ['雪纺'],
  针织衫: ['针织', '莫代尔'],
  毛衣: ['针织'],
  开衫: ['针织', '棉'],
  卫衣: ['棉', '涤纶'],
  t恤: ['棉', '莫代尔', '天丝'],
  polo衫: ['棉'],
  牛仔外套: ['牛仔布'],
  羽绒服: ['羽绒'],
  毛呢大衣: ['毛呢', '羊毛'],
  针织开衫: ['羊毛', '棉'],
  棒球服: ['棉', '涤纶'],
  帆布鞋: ['帆布'],
  小白鞋: ['真皮', 'pu皮'],
  马丁靴: ['真皮', 'pu皮'],
  乐福鞋: ['真皮', '漆皮', 'pu皮'],
  玛丽珍鞋: ['真皮', '漆皮', 'pu皮'],
  老爹鞋: ['网面', 'pu皮', '麂皮'],
  短靴: ['真皮', '麂皮', 'pu皮'],
};

/** Sub-types that fix another attribute. */
export const FIXED_FOR_SUBTYPE: Record<string, Record<string, string>> = {
  吊带裙: { 袖长: '无袖' },
  卫衣: { 袖长: '长袖' },
  毛衣: { 袖长: '长袖' },
  开衫: { 袖长: '长袖' },
  t恤: { 袖长: '短袖' },
  polo衫: { 袖长: '短袖', 领型: '翻领' },
  西装外套: { 领型: '西装领' },
  棒球服: { 领型: '立领' },
  马丁靴: { 跟高: '低跟' },
  小白鞋: { 跟高: '平底' },
  帆布鞋: { 跟高: '平底' },
  老爹鞋: { 跟高: '低跟' },
};

/** Sub-types worn in one season only. */
export const SEASONS_FOR_SUBTYPE: Record<string, string[]> = {
  羽绒服: ['冬季', '秋冬'],
  毛呢大衣: ['冬季', '秋冬'],
  毛衣: ['秋冬', '冬季', '初秋'],
  凉鞋: ['夏季'],
  吊带裙: ['夏季'],
  短靴: ['秋冬', '冬季'],
  马丁靴: ['秋冬', '冬季', '春秋'],
};

/** Selling points that contradict an attribute value (no 增高 on a flat shoe). */
export const POINT_CONFLICTS: Record<string, string[]> = {
  增高: ['平底'],
  保暖: ['棉', '涤纶', '牛仔布'],
  防风: ['针织开衫', '牛仔外套'],
  遮肉显高: ['短裙'],
  显腿长: ['短裤'],
};
